package dev.claw4j.app;

import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.DockerSandboxRuntime;
import dev.claw4j.sandbox.SandboxSettings;
import java.nio.file.Path;

/** Wiring of the sandbox runtime from config, in one place. */
final class Sandboxes {
    private Sandboxes() {}

    static DockerSandboxRuntime runtime(Config config) {
        Config.Sandbox s = config.sandbox();
        return new DockerSandboxRuntime(DockerClients.connect(),
                new SandboxSettings(s.runtime(), s.requireSecondWall(), s.image(), Install.id(config.dataDir())));
    }

    static SandboxSpec spec(Config config, String groupId) {
        Path groups = config.dataDir().resolve("groups");
        return new SandboxSpec(groupId, groups.resolve(groupId), config.dataDir().resolve("global"),
                config.sandbox().limits());
    }

    /** The agent jar the launcher's build put beside the app. */
    static Path agentJar() {
        return ConfigOption.home().resolve("app/target/agent/claw4j-agent.jar");
    }
}
