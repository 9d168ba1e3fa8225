package dev.claw4j.app;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** The agent image. */
@Command(name = "image", description = "The sandbox's agent image.", subcommands = ImageCommand.Build.class)
final class ImageCommand {

    @Command(name = "build", description = "Build the agent image (and its offline base when missing). "
            + "Does nothing when the image is up to date.")
    static final class Build implements Callable<Integer> {
        @Override
        public Integer call() {
            Images.ensure();
            System.out.println(dev.claw4j.sandbox.AgentImage.TAG + ": up to date");
            return 0;
        }
    }
}
