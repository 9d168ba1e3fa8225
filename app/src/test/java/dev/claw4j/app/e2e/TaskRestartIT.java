package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.HaltAfterClaimMain;
import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.task.Task;
import dev.claw4j.core.task.TaskRun;
import dev.claw4j.core.task.TaskStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scheduled run, exactly once across crashes: real host processes with real sandboxes. The first dies the moment
 * the run is claimed (halt right after the claim commits: no goodbye, like SIGKILL); the second picks the run up and
 * is killed with SIGKILL while the run's command sleeps in the sandbox; the third answers it. One answer arrives,
 * and the task has one run, finished OK.
 */
class TaskRestartIT {
    @TempDir
    Path dir;

    @Test
    void aRunClaimedOrCutOffByACrashIsAnsweredExactlyOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = dir.resolve("data");
        try (DemoModelServer model = new DemoModelServer(0)) {
            model.start();
            Path config = dir.resolve("claw4j.yaml");
            Files.writeString(config, """
                    dataDir: %s
                    model: { provider: openai, name: claw4j-demo, apiKey: demo, baseUrl: "%s" }
                    sandbox: { runtime: runsc, maxSandboxes: 2 }
                    access: { dm: open }
                    connectors:
                      web: { port: %d }
                    """.formatted(data, model.baseUrl(), port));
            WebChatClient chat = new WebChatClient(port, data);

            Process first = startHost(config, "first", true);
            Instant at;
            try {
                awaitUp(chat, first, "first");
                at = Instant.now().plusSeconds(40).truncatedTo(ChronoUnit.SECONDS);
                chat.post("dm-task", "kim", "tool: schedule_task {\"prompt\": \"run: sleep 8; echo TASK-RAN-ONCE\", "
                        + "\"at\": \"" + at + "\"}");
                List<JsonNode> scheduled = chat.awaitReplies("dm-task", 1, Duration.ofSeconds(90));
                assertThat(scheduled.getFirst().get("text").asText()).contains("scheduled task #1");
                // the claim at the due time ends the process at once
                assertThat(first.waitFor(120, TimeUnit.SECONDS)).as("the first host died at the claim").isTrue();
                assertThat(first.exitValue()).isEqualTo(137);
                assertThat(Files.readString(dir.resolve("first.log"))).contains("halting after the claim of task #1")
                        .doesNotContain("TASK-RAN-ONCE");
            } finally {
                first.destroyForcibly().waitFor();
            }
            int requestsBefore = model.requestCount();

            Process second = startHost(config, "second", false);
            try {
                awaitUp(chat, second, "second");
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (model.rawRequests().stream().skip(requestsBefore).noneMatch(r -> r.contains("TASK-RAN-ONCE"))) {
                    assertThat(System.nanoTime()).as("the claimed run reached the model").isLessThan(deadline);
                    Thread.sleep(100);
                }
                Thread.sleep(2000); // the run's command now sleeps inside the sandbox
                assertThat(chat.replies("dm-task")).hasSize(1);
            } finally {
                second.destroyForcibly().waitFor(); // SIGKILL
            }

            Process third = startHost(config, "third", false);
            try {
                awaitUp(chat, third, "third");
                chat.awaitReplies("dm-task", 2, Duration.ofSeconds(120));
                Thread.sleep(4000); // long enough for a doubled answer to show up
                List<String> texts = new ArrayList<>();
                chat.replies("dm-task").forEach(r -> texts.add(r.get("text").asText()));
                assertThat(texts).hasSize(2);
                assertThat(texts.get(1)).contains("TASK-RAN-ONCE");
            } finally {
                third.destroy();
                third.waitFor();
            }
        }
        try (Store store = Store.open(data)) {
            TaskStore tasks = new TaskStore(store.dataSource());
            assertThat(tasks.outcomes(1)).isEqualTo(Map.of(TaskRun.OK, 1));
            assertThat(tasks.get(1).orElseThrow().status()).isEqualTo(Task.Status.DONE);
        }
    }

    /** The real {@code run} command's host, or with {@code haltAfterClaim} the test's that halts at the claim. */
    private Process startHost(Path config, String name, boolean haltAfterClaim) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> command = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"),
                "-Dclaw4j.home=" + System.getProperty("claw4j.home")));
        command.addAll(haltAfterClaim ? List.of(HaltAfterClaimMain.class.getName())
                : List.of("dev.claw4j.app.Main", "run"));
        command.addAll(List.of("--config", config.toString()));
        return new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    private void awaitUp(WebChatClient chat, Process host, String name) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                chat.messages("probe");
                return;
            } catch (IOException notYet) {
                if (!host.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the host did not come up: " + notYet + "\n"
                            + Files.readString(dir.resolve(name + ".log")));
                }
                Thread.sleep(200);
            }
        }
    }
}
