package dev.claw4j.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.ProtocolError;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class AgentChannelTest {
    private final PipedOutputStream agentWrites = new PipedOutputStream();
    private final ByteArrayOutputStream hostWrote = new ByteArrayOutputStream();
    private final List<ProtocolError> refused = new CopyOnWriteArrayList<>();

    @Test
    void passesGoodMessagesAndAnswersBadLinesWithAnError() throws Exception {
        var channel = new AgentChannel("g1", hostWrote, new PipedInputStream(agentWrites, 1 << 16), refused::add);
        write("{\"v\":1,\"type\":\"ready\",\"agentVersion\":\"x\",\"tools\":[]}\n");
        write("garbage\n");
        write("{\"v\":1,\"type\":\"llm.response\",\"id\":\"forged\"}\n");
        write(JsonLines.encode(new AgentMessage.TurnDone("t", "bye", null)) + "\n");
        agentWrites.close();

        assertThat(channel.receive(Duration.ofSeconds(5))).isInstanceOf(AgentMessage.Ready.class);
        assertThat(channel.receive(Duration.ofSeconds(5))).isEqualTo(new AgentMessage.TurnDone("t", "bye", null));
        assertThat(channel.receive(Duration.ofSeconds(5))).isSameAs(AgentChannel.CLOSED);
        assertThat(channel.receive(Duration.ofSeconds(1))).isSameAs(AgentChannel.CLOSED);
        assertThat(channel.refusedLines()).isEqualTo(2);
        assertThat(refused).extracting(ProtocolError::code)
                .containsExactly(ProtocolError.BAD_LINE, ProtocolError.UNKNOWN_TYPE);
        String sentBack = hostWrote.toString(StandardCharsets.UTF_8);
        assertThat(sentBack.lines()).hasSize(2).allMatch(l -> l.contains("\"type\":\"error\""));
    }

    @Test
    void anOverlongLineIsRefusedWithoutStoppingTheChannel() throws Exception {
        var channel = new AgentChannel("g1", hostWrote, new PipedInputStream(agentWrites, 1 << 16), refused::add);
        Thread.ofVirtual().start(() -> {
            try {
                write("x".repeat(JsonLines.MAX_LINE_BYTES + 10) + "\n");
                write("{\"v\":1,\"type\":\"turn.done\",\"turnId\":\"t\"}\n");
                agentWrites.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(channel.receive(Duration.ofSeconds(10))).isInstanceOf(AgentMessage.TurnDone.class);
        assertThat(refused).extracting(ProtocolError::code).containsExactly(ProtocolError.LINE_TOO_LONG);
    }

    @Test
    void sendWritesOneLinePerMessage() {
        var channel = new AgentChannel("g1", hostWrote, new java.io.ByteArrayInputStream(new byte[0]), refused::add);
        assertThat(channel.send(new HostMessage.Shutdown("bye"))).isTrue();
        assertThat(hostWrote.toString(StandardCharsets.UTF_8)).isEqualTo("{\"v\":1,\"type\":\"shutdown\",\"reason\":\"bye\"}\n");
    }

    private void write(String s) throws IOException {
        agentWrites.write(s.getBytes(StandardCharsets.UTF_8));
        agentWrites.flush();
    }
}
