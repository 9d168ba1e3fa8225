package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The whole host side of a sandbox's stdout, as {@link AttachedSandbox} wires it (Docker's attach frames into a
 * {@link ByteQueue}, read by an {@link AgentChannel}), without Docker: a producer writes 1 GiB of valid lines
 * while nobody receives. It must be stopped after a few MiB, not buffered; once someone receives, every line
 * arrives.
 */
class HostChannelBackpressureTest {
    private static final long GIB = 1L << 30;
    /** What the host may hold at most: the pipe, the line being read, the inbox, and the writer's last frame. */
    private static final long BOUND = ByteQueue.DEFAULT_CAPACITY + JsonLines.MAX_LINE_BYTES
            + AgentChannel.MAX_QUEUED_CHARS + (1 << 20);

    @Test
    void aGibibyteOfValidLinesWhileNobodyReadsStopsTheProducerAndHoldsAFewMiB() throws Exception {
        ByteQueue stdout = new ByteQueue();
        AgentChannel channel = new AgentChannel("flood", new ByteArrayOutputStream(), stdout.in, e -> {});
        byte[] line = (JsonLines.encode(new AgentMessage.Event("t", "tool.started", "bash", "x".repeat(60_000),
                null, null)) + "\n").getBytes(StandardCharsets.UTF_8);
        long lines = GIB / line.length + 1;
        AtomicLong written = new AtomicLong();
        Thread producer = Thread.ofVirtual().name("flooding-agent").start(() -> {
            try {
                for (long i = 0; i < lines; i++) {
                    stdout.out.write(line); // as Docker's attach callback does with each frame
                    written.addAndGet(line.length);
                }
                stdout.out.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });

        // nobody receives: the producer must come to a stop
        long seen = -1;
        while (written.get() != seen) {
            seen = written.get();
            Thread.sleep(500);
        }
        assertThat(producer.isAlive()).as("the producer is blocked, not done").isTrue();
        assertThat(written.get()).as("bytes the host took in before it stopped the producer")
                .isLessThanOrEqualTo(BOUND).isLessThan(GIB / 50);
        assertThat(stdout.queuedBytes()).isLessThanOrEqualTo(ByteQueue.DEFAULT_CAPACITY);
        assertThat(channel.queued()).isLessThanOrEqualTo(AgentChannel.MAX_QUEUED);
        assertThat(channel.bytesRead()).isLessThan(BOUND);

        // once the host receives again, nothing was lost: all of the gibibyte arrives, in order
        AtomicInteger received = new AtomicInteger();
        while (true) {
            AgentMessage m = channel.receive(Duration.ofSeconds(30));
            assertThat(m).as("the channel keeps delivering").isNotNull();
            if (m == AgentChannel.CLOSED) {
                break;
            }
            assertThat(m).isInstanceOf(AgentMessage.Event.class);
            received.incrementAndGet();
        }
        assertThat(producer.join(Duration.ofSeconds(5))).isTrue();
        assertThat(written.get()).isGreaterThanOrEqualTo(GIB);
        assertThat(received.get()).isEqualTo(lines);
        assertThat(channel.refusedLines()).isZero();
    }
}
