package dev.claw4j.sandbox;

import com.github.dockerjava.api.DockerClient;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxSpec;
import java.nio.file.Path;
import java.util.UUID;

/** Shared set-up of the integration tests: the real daemon, the real agent image, runsc forced. */
final class TestSandboxes {
    static final DockerClient DOCKER = DockerClients.connect();
    private static boolean imageReady;

    private TestSandboxes() {}

    static synchronized void ensureAgentImage() {
        if (!imageReady) {
            String jar = System.getProperty("claw4j.agentJar");
            if (jar == null) {
                throw new IllegalStateException("claw4j.agentJar is not set: run the integration tests through Maven");
            }
            AgentImage.ensure(DOCKER, Path.of(jar), line -> System.out.println("[image] " + line));
            imageReady = true;
        }
    }

    /** A runtime on gVisor with a fresh install id, so tests never touch each other's containers. */
    static DockerSandboxRuntime gvisor() {
        ensureAgentImage();
        return new DockerSandboxRuntime(DOCKER, new SandboxSettings("runsc", true, null, installId()));
    }

    static String installId() {
        return "test-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static SandboxSpec spec(Path dataDir, String group, SandboxLimits limits) {
        return new SandboxSpec(group, dataDir.resolve("groups").resolve(group), dataDir.resolve("global"), limits);
    }

    static SandboxSpec spec(Path dataDir, String group) {
        return spec(dataDir, group, SandboxLimits.DEFAULTS);
    }
}
