package dev.claw4j.app;

import com.github.dockerjava.api.DockerClient;
import dev.claw4j.sandbox.AgentImage;
import dev.claw4j.sandbox.DockerClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The agent image. */
@Command(name = "image", description = "The sandbox's agent image.", subcommands = ImageCommand.Build.class)
final class ImageCommand {

    @Command(name = "build", description = "Build the agent image (and its offline base when missing). "
            + "Does nothing when the image is up to date.")
    static final class Build implements Callable<Integer> {
        @Override
        public Integer call() throws Exception {
            try (DockerClient docker = DockerClients.connect()) {
                if (!AgentImage.isPresent(docker, AgentImage.BASE)) {
                    int code = buildBase();
                    if (code != 0) {
                        return code;
                    }
                }
                var outcome = AgentImage.ensure(docker, Sandboxes.agentJar(), System.out::println);
                System.out.println(AgentImage.TAG + ": " + (outcome == AgentImage.Outcome.BUILT ? "built" : "up to date"));
                return 0;
            }
        }

        private static int buildBase() throws IOException, InterruptedException {
            Path script = ConfigOption.home().resolve("sandbox/image/build-base.sh");
            if (!Files.isExecutable(script)) {
                System.err.println("the base image " + AgentImage.BASE + " is missing and " + script + " is not there");
                return 1;
            }
            System.out.println("the base image " + AgentImage.BASE + " is missing; building it (about two minutes)");
            return new ProcessBuilder(script.toString(), AgentImage.BASE).inheritIO().start().waitFor();
        }
    }
}
