package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.protocol.ToolSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BashToolTest {
    @TempDir
    java.nio.file.Path root;

    private final BashTool bash = new BashTool();

    @Test
    void runsInTheGroupFolderAndReportsTheExitCode() throws Exception {
        ToolTesting t = new ToolTesting(root);
        ToolResult result = t.call(bash, Map.of("command", "pwd; echo oops >&2"));
        assertThat(result.ok()).isTrue();
        assertThat(result.output()).isEqualTo(t.group().toRealPath() + "\noops\nexit code: 0");
    }

    @Test
    void aFailingCommandIsNotOk() throws Exception {
        ToolResult result = new ToolTesting(root).call(bash, Map.of("command", "echo no; exit 3"));
        assertThat(result.ok()).isFalse();
        assertThat(result.output()).isEqualTo("no\nexit code: 3");
    }

    @Test
    void stdinIsClosedSoReadingCommandsDoNotHang() throws Exception {
        ToolResult result = new ToolTesting(root).call(bash, Map.of("command", "cat; echo after"));
        assertThat(result.output()).isEqualTo("after\nexit code: 0");
    }

    @Test
    void aCommandOverItsTimeIsKilledWithItsChildren() throws Exception {
        ToolTesting t = new ToolTesting(root);
        long start = System.nanoTime();
        ToolResult result = t.call(bash, Map.of(
                "command", "echo begun; sleep 30 & echo $! > child.pid; sleep 30", "timeout_ms", 500));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(result.ok()).isFalse();
        assertThat(result.output()).startsWith("begun\n")
                .contains("timed out after 500 ms; the command and its child processes were killed")
                .containsPattern("exit code: -?\\d+$");
        long childPid = Long.parseLong(Files.readString(t.group().resolve("child.pid")).strip());
        Optional<ProcessHandle> child = ProcessHandle.of(childPid);
        if (child.isPresent()) {
            assertThat(child.get().onExit().get(5, java.util.concurrent.TimeUnit.SECONDS).isAlive()).isFalse();
        }
    }

    @Test
    void theModelCannotAskForMoreTimeThanTheTurnAllows() throws Exception {
        ToolTesting t = new ToolTesting(root);
        t.settings = new ToolSettings(300, 30_000, 10);
        ToolResult result = t.call(bash, Map.of("command", "sleep 20", "timeout_ms", 60_000));
        assertThat(result.output()).contains("timed out after 300 ms");
    }

    @Test
    void aBackgroundProcessLeftRunningDoesNotBlockTheResult() throws Exception {
        ToolTesting t = new ToolTesting(root);
        long start = System.nanoTime();
        ToolResult result = t.call(bash, Map.of("command", "sleep 20 & echo $!"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        assertThat(result.output()).endsWith("exit code: 0");
        long pid = Long.parseLong(result.output().lines().findFirst().orElseThrow().strip());
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    @Test
    void longOutputKeepsHeadAndTailWithinTheLimit() throws Exception {
        ToolTesting t = new ToolTesting(root);
        t.settings = new ToolSettings(10_000, 1000, 10);
        ToolResult result = t.call(bash, Map.of("command", "seq 1 100000"));
        assertThat(result.output().length()).isLessThanOrEqualTo(1000);
        assertThat(result.output()).startsWith("1\n2\n3\n").contains("characters cut")
                .contains("99999\n100000\n").endsWith("exit code: 0");
    }
}
