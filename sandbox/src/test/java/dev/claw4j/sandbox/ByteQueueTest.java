package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ByteQueueTest {
    @Test
    void bytesWrittenByOneThreadAreReadByAnotherEvenAfterTheWriterEnded() throws Exception {
        ByteQueue q = new ByteQueue();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                q.out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                q.out.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.join();
        assertThat(new String(q.in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("hello\n");
        assertThat(q.in.read()).isEqualTo(-1);
    }

    @Test
    void writingAfterCloseFails() {
        ByteQueue q = new ByteQueue();
        q.close();
        assertThatThrownBy(() -> q.out.write(1)).isInstanceOf(IOException.class);
    }

    @Test
    void aWriterBlocksWhenTheQueueIsFullAndGoesOnWhenTheReaderTakes() throws Exception {
        ByteQueue q = new ByteQueue(1024, null);
        byte[] data = new byte[10_000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                q.out.write(data);
                q.out.close();
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(writer.join(Duration.ofMillis(300))).as("the writer waits for the reader").isFalse();
        assertThat(q.queuedBytes()).isEqualTo(1024);

        assertThat(q.in.readAllBytes()).isEqualTo(data);
        assertThat(writer.join(Duration.ofSeconds(5))).isTrue();
        assertThat(q.queuedBytes()).isZero();
    }

    @Test
    void closingReleasesABlockedWriterWithAnError() throws Exception {
        ByteQueue q = new ByteQueue(16, null);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                q.out.write(new byte[64]);
            } catch (IOException e) {
                failure.set(e);
            }
        });
        assertThat(writer.join(Duration.ofMillis(200))).isFalse();
        q.close();
        assertThat(writer.join(Duration.ofSeconds(5))).isTrue();
        assertThat(failure.get()).isInstanceOf(IOException.class).hasMessageContaining("closed");
        // what was written before the close can still be read
        assertThat(q.in.readAllBytes()).hasSize(16);
    }

    @Test
    void aWriterWhoseReaderTakesNothingGivesUpAfterTheStallTimeAndThePipeIsClosed() {
        ByteQueue q = new ByteQueue(16, Duration.ofMillis(200));
        long start = System.nanoTime();
        assertThatThrownBy(() -> q.out.write(new byte[64])).isInstanceOf(IOException.class)
                .hasMessageContaining("the reader took nothing");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
        assertThatThrownBy(() -> q.out.write(1)).isInstanceOf(IOException.class);
    }
}
