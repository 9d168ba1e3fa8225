package dev.claw4j.app;

import com.github.dockerjava.api.DockerClient;
import dev.claw4j.sandbox.AgentImage;
import dev.claw4j.sandbox.DockerClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Makes sure the sandbox images exist before anything starts a sandbox. */
final class Images {
    private Images() {}

    /** Builds the offline base (when missing) and the agent image (when missing or out of date). */
    static void ensure() {
        try (DockerClient docker = DockerClients.connect()) {
            if (!AgentImage.isPresent(docker, AgentImage.BASE)) {
                buildBase();
            }
            AgentImage.ensure(docker, Sandboxes.agentJar(), System.out::println);
        } catch (IOException e) {
            throw new IllegalStateException("closing the Docker client: " + e.getMessage(), e);
        }
    }

    private static void buildBase() {
        Path script = ConfigOption.home().resolve("sandbox/image/build-base.sh");
        if (!Files.isExecutable(script)) {
            throw new IllegalStateException("the base image " + AgentImage.BASE + " is missing and " + script
                    + " is not there to build it");
        }
        System.out.println("the base image " + AgentImage.BASE + " is missing; building it (about a minute)");
        try {
            int code = new ProcessBuilder(script.toString(), AgentImage.BASE).inheritIO().start().waitFor();
            if (code != 0) {
                throw new IllegalStateException("building the base image failed (exit " + code + "); see above");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the base image");
        }
    }
}
