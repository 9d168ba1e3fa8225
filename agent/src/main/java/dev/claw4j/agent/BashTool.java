package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code bash -c command} in the group folder. Stdin is closed (a command that reads input gets
 * end-of-file instead of hanging on the protocol stream), stdout and stderr are merged and captured
 * (never inherited: the agent's stdout is the protocol), and the command has a time limit after which
 * it and every process it started are killed.
 */
final class BashTool implements Tool {
    /** Room left in the output limit for the notices and the exit code line. */
    private static final int STATUS_RESERVE = 300;
    /** How long to wait for the output to close once bash itself has exited. */
    private static final Duration DRAIN_GRACE = Duration.ofSeconds(1);

    private static final ToolSpec SPEC = new ToolSpec("bash",
            "Runs a shell command with bash -c in the group folder (/workspace/group) and returns its output"
                    + " (stdout and stderr merged) and exit code. No network. Stdin is empty. Long outputs are cut"
                    + " in the middle. The command is killed, with its child processes, when it runs too long.",
            """
            {"type": "object",
             "properties": {
               "command": {"type": "string", "description": "the bash command line"},
               "timeout_ms": {"type": "integer", "description": "time limit in milliseconds; at most the turn's bash limit, which is also the default"}
             },
             "required": ["command"]}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public String detail(ToolArgs args) {
        return args.text("command");
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        String command = args.string("command");
        long limit = context.settings().bashTimeoutMs();
        long timeoutMs = Math.clamp(args.optionalLong("timeout_ms").orElse(limit), 1, limit);

        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder("bash", "-c", command)
                    .directory(context.workspace().group().toFile())
                    .redirectErrorStream(true);
            // lets the runner find what its tools started, where it must not stop every other process
            builder.environment().put(Leftovers.MARK, Long.toString(ProcessHandle.current().pid()));
            process = builder.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new ToolException("could not start bash: " + e.getMessage());
        }

        int outputLimit = context.settings().outputLimitChars();
        OutputCapture output = new OutputCapture(Math.max(outputLimit - STATUS_RESERVE, 0));
        Thread reader = Thread.ofVirtual().name("bash-output").start(() -> output.drain(process.getInputStream()));
        boolean timedOut = false;
        boolean drained;
        try {
            if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
                timedOut = true;
                killTree(process);
                process.waitFor(5, TimeUnit.SECONDS);
            }
            // A background child (`server &`) may still hold the output pipe open after bash exits.
            // Wait a little, then report what we have rather than block the turn on it; the reader
            // thread stays behind until that child closes the pipe.
            drained = reader.join(DRAIN_GRACE);
        } catch (InterruptedException e) {
            killTree(process);
            Thread.currentThread().interrupt();
            throw new ToolException("the command was interrupted");
        }

        StringBuilder result = new StringBuilder(output.text());
        if (result.isEmpty()) {
            result.append("(no output)");
        }
        if (result.charAt(result.length() - 1) != '\n') {
            result.append('\n');
        }
        if (!drained) {
            result.append("(a background process still holds the output open; its later output is not shown)\n");
        }
        if (timedOut) {
            result.append("timed out after ").append(timeoutMs)
                    .append(" ms; the command and its child processes were killed\n");
        }
        int exitCode = process.isAlive() ? -1 : process.exitValue();
        result.append("exit code: ").append(exitCode);
        return new ToolResult(result.toString(), !timedOut && exitCode == 0, exitCode);
    }

    /** Kills the process and everything it started. */
    static void killTree(Process process) {
        // Snapshot the tree first: once bash is dead its children are re-parented and no longer its descendants.
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroyForcibly(); // bash first, so it starts nothing new
        tree.forEach(ProcessHandle::destroyForcibly);
    }
}
