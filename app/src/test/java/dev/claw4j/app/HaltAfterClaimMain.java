package dev.claw4j.app;

import java.nio.file.Path;

/**
 * Fault injection for TaskRestartIT, on the test classpath only: {@code ./claw4j run --config FILE}'s host, whose
 * process halts (exit 137, no shutdown hooks: as SIGKILL would leave it) the moment a scheduled run's claim has
 * committed. Arguments: {@code --config FILE}.
 */
public final class HaltAfterClaimMain {
    private HaltAfterClaimMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !args[0].equals("--config")) {
            throw new IllegalArgumentException("usage: HaltAfterClaimMain --config FILE (got " + String.join(" ", args)
                    + ")");
        }
        ConfigOption option = new ConfigOption();
        option.file = Path.of(args[1]);
        Config config = option.load();
        Images.ensure();
        try (var runtime = Sandboxes.runtime(config);
                var claw4j = new Claw4j(config, runtime, config.model().settings())) {
            claw4j.scheduler().onClaim((task, claimed) -> {
                System.err.println("FAULT INJECTION (HaltAfterClaimMain): halting after the claim of task #"
                        + task.id() + " run " + claimed.runId());
                Runtime.getRuntime().halt(137);
            });
            claw4j.start();
            System.out.println("claw4j is running (halts at the first claim)");
            Thread.sleep(Long.MAX_VALUE);
        }
    }
}
