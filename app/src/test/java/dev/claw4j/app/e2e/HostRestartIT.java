package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.demo.DemoModelServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host process is killed (SIGKILL, no goodbye) in the middle of a turn and started again: the message
 * gets its one reply, none lost and none doubled.
 */
class HostRestartIT {
    @TempDir
    Path dir;

    @Test
    void aKilledHostAnswersTheInterruptedMessageExactlyOnceAfterRestart() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
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
                    """.formatted(dir.resolve("data"), model.baseUrl(), port));
            WebChatClient chat = new WebChatClient(port, dir.resolve("data"));

            Process first = startHost(config, "first");
            try {
                awaitUp(chat, first);
                chat.post("dm-kill", "kim", "run: sleep 8; echo finished-once");
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (model.rawRequests().stream().noneMatch(r -> r.contains("finished-once"))) {
                    assertThat(System.nanoTime()).as("the turn reached the model").isLessThan(deadline);
                    Thread.sleep(100);
                }
                Thread.sleep(1500); // the bash tool is now sleeping inside the sandbox
                assertThat(chat.replies("dm-kill")).isEmpty();
            } finally {
                first.destroyForcibly().waitFor();
            }

            Process second = startHost(config, "second");
            try {
                awaitUp(chat, second);
                List<JsonNode> replies = chat.awaitReplies("dm-kill", 1, Duration.ofSeconds(90));
                Thread.sleep(3000); // long enough for a doubled answer to show up
                replies = chat.replies("dm-kill");
                assertThat(replies).hasSize(1);
                assertThat(replies.getFirst().get("text").asText()).contains("finished-once");
                JsonNode inbound = chat.messages("dm-kill").getFirst();
                assertThat(inbound.get("status").asText()).isEqualTo("DONE");
            } finally {
                second.destroy();
                second.waitFor();
            }
        }
    }

    private Process startHost(Path config, String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dclaw4j.home=" + System.getProperty("claw4j.home"),
                "dev.claw4j.app.Main", "run", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
    }

    private void awaitUp(WebChatClient chat, Process host) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                chat.messages("probe");
                return;
            } catch (IOException notYet) {
                if (!host.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the host did not come up: " + notYet + "\n"
                            + Files.readString(dir.resolve((host.isAlive() ? "first" : "second") + ".log")));
                }
                Thread.sleep(200);
            }
        }
    }
}
