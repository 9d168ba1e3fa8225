package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.ToolSettings;
import dev.claw4j.protocol.Usage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent as a real process: its stdout holds protocol lines and nothing else, and it exits 0. */
class MainTest {
    @TempDir
    Path root;

    @Test
    void stdoutCarriesOnlyProtocolLinesAndShutdownExitsZero() throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Main.class.getName()).redirectError(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("CLAW4J_WORKSPACE", root.toString());
        Process agent = builder.start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(), StandardCharsets.UTF_8));
            OutputStream in = agent.getOutputStream();

            AgentMessage first = decode(out.readLine());
            assertThat(first).isInstanceOf(AgentMessage.Ready.class);
            assertThat(((AgentMessage.Ready) first).agentVersion()).isEqualTo("dev");

            write(in, new HostMessage.TurnStart("t1", "g1", "sys", List.of(new ChatMessage("ann", "hi", null)),
                    ToolSettings.DEFAULTS));
            List<AgentMessage> seen = new ArrayList<>();
            AgentMessage.LlmRequest request = (AgentMessage.LlmRequest) decode(out.readLine());
            // a command that writes to both streams: neither may reach the agent's own stdout
            write(in, new HostMessage.LlmResponse(request.id(), LlmMessage.assistant(null, List.of(
                    new ToolCall("c1", "bash", "{\"command\": \"echo to-stdout; echo to-stderr >&2\"}"))),
                    Usage.NONE, "tool_use"));
            AgentMessage m;
            while (!((m = decode(out.readLine())) instanceof AgentMessage.LlmRequest)) {
                seen.add(m);
            }
            assertThat(seen).hasSize(2).allMatch(e -> e instanceof AgentMessage.Event);
            assertThat(((AgentMessage.LlmRequest) m).messages().getLast().text())
                    .isEqualTo("to-stdout\nto-stderr\nexit code: 0");
            write(in, new HostMessage.LlmResponse(((AgentMessage.LlmRequest) m).id(),
                    LlmMessage.assistant("bye", List.of()), Usage.NONE, "end_turn"));
            assertThat(decode(out.readLine())).isInstanceOf(AgentMessage.TurnDone.class);

            write(in, new HostMessage.Shutdown("test over"));
            assertThat(agent.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(agent.exitValue()).isZero();
            assertThat(out.readLine()).isNull();
        } finally {
            agent.destroyForcibly();
        }
    }

    private static AgentMessage decode(String line) {
        assertThat(line).as("a line from the agent").isNotNull();
        Decoded<AgentMessage> decoded = JsonLines.decodeFromAgent(line);
        assertThat(decoded).as(line).isInstanceOf(Decoded.Ok.class);
        return ((Decoded.Ok<AgentMessage>) decoded).message();
    }

    private static void write(OutputStream in, HostMessage message) throws Exception {
        in.write((JsonLines.encode(message) + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }
}
