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
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void whileNobodyReceivesTheInboxStopsAtItsBoundAndTheAgentsWritesWait() throws Exception {
        var channel = new AgentChannel("g1", hostWrote, new PipedInputStream(agentWrites, 1 << 16), refused::add);
        String line = JsonLines.encode(new AgentMessage.Event("t", "tool.started", "bash", "ls", null, null)) + "\n";
        int lines = 20_000;
        AtomicInteger written = new AtomicInteger();
        Thread agent = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < lines; i++) {
                    write(line);
                    written.incrementAndGet();
                }
                agentWrites.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        awaitStill(written);
        assertThat(agent.isAlive()).as("the agent waits for the host").isTrue();
        assertThat(channel.queued()).isEqualTo(AgentChannel.MAX_QUEUED);
        assertThat(written.get()).as("lines taken in: the inbox, the pipe and one in hand")
                .isLessThan(AgentChannel.MAX_QUEUED + (1 << 16) / line.length() + 2);

        int received = 0;
        while (channel.receive(Duration.ofSeconds(10)) != AgentChannel.CLOSED) {
            received++;
        }
        assertThat(received).isEqualTo(lines);
        assertThat(channel.messagesRead()).isEqualTo(lines);
        assertThat(channel.bytesRead()).isEqualTo((long) lines * line.length());
    }

    @Test
    void bigLinesAreBoundedByTheirSizeNotOnlyTheirNumber() throws Exception {
        var channel = new AgentChannel("g1", hostWrote, new PipedInputStream(agentWrites, 1 << 16), refused::add);
        String line = JsonLines.encode(new AgentMessage.Event("t", "tool.started", "bash", "x".repeat(500_000), null,
                null)) + "\n";
        AtomicInteger written = new AtomicInteger();
        Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 100; i++) {
                    write(line);
                    written.incrementAndGet();
                }
            } catch (IOException e) {
                // closed at the end of the test
            }
        });
        awaitStill(written);
        assertThat((long) channel.queued() * line.length()).isLessThanOrEqualTo(AgentChannel.MAX_QUEUED_CHARS);
        assertThat(written.get()).isLessThan(20);
    }

    @Test
    void closingTheChannelReleasesAReaderWaitingForRoomAndReceiveEnds() throws Exception {
        var channel = new AgentChannel("g1", hostWrote, new PipedInputStream(agentWrites, 1 << 16), refused::add);
        String line = JsonLines.encode(new AgentMessage.TurnDone("t", "x", null)) + "\n";
        AtomicInteger written = new AtomicInteger();
        Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    write(line);
                    written.incrementAndGet();
                }
            } catch (IOException e) {
                // the reader is gone
            }
        });
        awaitStill(written);
        channel.close();
        int drained = 0;
        AgentMessage m;
        while ((m = channel.receive(Duration.ofSeconds(5))) != AgentChannel.CLOSED) {
            assertThat(m).as("the end comes without waiting for the agent's output to end").isNotNull();
            drained++;
        }
        assertThat(drained).isLessThanOrEqualTo(AgentChannel.MAX_QUEUED);
        assertThat(channel.receive(Duration.ZERO)).isSameAs(AgentChannel.CLOSED);
    }

    /** Waits until the counter stops moving: the writer is blocked. */
    private static void awaitStill(AtomicInteger counter) throws InterruptedException {
        int seen = -1;
        while (counter.get() != seen) {
            seen = counter.get();
            Thread.sleep(300);
        }
    }

    private void write(String s) throws IOException {
        agentWrites.write(s.getBytes(StandardCharsets.UTF_8));
        agentWrites.flush();
    }
}
