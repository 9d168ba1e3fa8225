package dev.claw4j.agent;

import static dev.claw4j.agent.ScriptedHost.text;
import static dev.claw4j.agent.ScriptedHost.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ToolSettings;
import dev.claw4j.protocol.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Processes a turn leaves running are stopped at its end. (Outside a sandbox the runner stops only what its
 * own tools started, so this test cannot touch the machine's other processes; in a sandbox it stops every
 * process but itself and init, which AgentInSandboxIT shows.)
 */
class LeftoversTest {
    @TempDir
    Path root;

    @Test
    void backgroundWritersStartedInATurnStopWhenItEnds() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(new HostMessage.TurnStart("t1", "g1", "You are a test agent.",
                    List.of(new ChatMessage("mallory", "keep writing after you are done", null)), ToolSettings.DEFAULTS));
            // one writer stays in bash's process group; the other starts a session of its own to get away
            host.answer(toolCall("c1", "bash", "{\"command\": \"(while true; do date >> bg.log; sleep 0.2; done) & "
                    + "setsid bash -c 'while true; do date >> bg2.log; sleep 0.2; done' > /dev/null 2>&1 < /dev/null &\"}"),
                    Usage.NONE);
            host.expect(AgentMessage.Event.class);
            host.expect(AgentMessage.Event.class);
            AgentMessage.LlmRequest last = host.expect(AgentMessage.LlmRequest.class);

            Path log = root.resolve("group/bg.log");
            Path log2 = root.resolve("group/bg2.log");
            awaitLines(log, 3);
            awaitLines(log2, 3); // both really run while the turn goes on

            host.send(new HostMessage.LlmResponse(last.id(), text("started them"), Usage.NONE, "end_turn"));
            AgentMessage.Event stopped = host.expect(AgentMessage.Event.class);
            assertThat(stopped.kind()).isEqualTo("processes.stopped");
            assertThat(stopped.turnId()).isEqualTo("t1");
            assertThat(stopped.detail()).startsWith("stopped ").contains("bash");
            assertThat(host.expect(AgentMessage.TurnDone.class).reply()).isEqualTo("started them");

            long size = Files.size(log);
            long size2 = Files.size(log2);
            Thread.sleep(1_000); // five more lines each, if they still ran
            assertThat(Files.size(log)).as("bg.log stopped growing at the end of the turn").isEqualTo(size);
            assertThat(Files.size(log2)).as("bg2.log (its own session) too").isEqualTo(size2);
        }
    }

    @Test
    void aTurnThatLeavesNothingRunningSaysNothingAboutIt() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(new HostMessage.TurnStart("t1", "g1", "You are a test agent.",
                    List.of(new ChatMessage("ann", "hi", null)), ToolSettings.DEFAULTS));
            host.answer(toolCall("c1", "bash", "{\"command\": \"echo hi\"}"), Usage.NONE);
            host.expect(AgentMessage.Event.class);
            host.expect(AgentMessage.Event.class);
            host.answer(text("hi"), Usage.NONE);
            assertThat(host.next()).isInstanceOf(AgentMessage.TurnDone.class);
        }
    }

    private static void awaitLines(Path file, int lines) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(file) || Files.readAllLines(file).size() < lines) {
            assertThat(System.nanoTime()).as(file + " grows").isLessThan(deadline);
            Thread.sleep(50);
        }
    }
}
