package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> q.out.write(1)).isInstanceOf(IOException.class);
    }
}
