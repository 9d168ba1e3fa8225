package dev.claw4j.app;

import dev.claw4j.core.sandbox.ExecResult;
import dev.claw4j.core.sandbox.GroupIds;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Admin tools for sandboxes. */
@Command(name = "sandbox", description = "Look inside a group's sandbox.", subcommands = SandboxCommand.Exec.class)
final class SandboxCommand {

    @Command(name = "exec", description = "Run a command in a group's sandbox (same hardening as its agent) and "
            + "print its output and exit code.")
    static final class Exec implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Option(names = "--group", required = true, description = "the group id")
        String group;

        @Option(names = "--timeout", defaultValue = "60s", description = "kill the command after this (default 60s)")
        String timeout;

        @Parameters(arity = "1..*", paramLabel = "CMD", description = "the command and its arguments (after --)")
        List<String> command;

        @Override
        public Integer call() {
            GroupIds.requireValid(group);
            Config cfg = config.load();
            Duration limit = Units.duration("--timeout", timeout);
            try (var runtime = Sandboxes.runtime(cfg)) {
                ExecResult r = runtime.exec(Sandboxes.spec(cfg, group), command, limit, 1 << 20);
                System.out.print(r.stdout());
                System.err.print(r.stderr());
                if (r.truncated()) {
                    System.err.println("[output cut at 1 MiB]");
                }
                if (r.timedOut()) {
                    System.err.println("[killed after " + timeout + "]");
                }
                System.err.println("exit code: " + r.exit().exitCode()
                        + (r.exit().outOfMemory() ? " (out of memory)" : "")
                        + "  [" + runtime.isolation().describe() + "]");
                return (int) Math.min(255, Math.max(0, r.exit().exitCode()));
            }
        }
    }
}
