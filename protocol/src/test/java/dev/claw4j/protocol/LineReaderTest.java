package dev.claw4j.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineReaderTest {
    @Test
    void readsLinesAndTheLastOneWithoutNewline() throws IOException {
        var reader = new LineReader(stream("one\ntwo\r\nthree"));
        assertThat(reader.next()).isEqualTo(new LineReader.Line.Text("one"));
        assertThat(reader.next()).isEqualTo(new LineReader.Line.Text("two"));
        assertThat(reader.next()).isEqualTo(new LineReader.Line.Text("three"));
        assertThat(reader.next()).isInstanceOf(LineReader.Line.End.class);
    }

    @Test
    void skipsAnOverlongLineAndKeepsReading() throws IOException {
        var reader = new LineReader(stream("x".repeat(2 << 20) + "\nnext\n"), JsonLines.MAX_LINE_BYTES);
        assertThat(reader.next()).isEqualTo(new LineReader.Line.TooLong(2 << 20));
        assertThat(reader.next()).isEqualTo(new LineReader.Line.Text("next"));
    }

    @Test
    void anEndlessLineNeverHoldsMoreThanTheCap() throws IOException {
        // 64 MiB of bytes with no newline, produced lazily: the reader must not buffer them
        InputStream endless = new InputStream() {
            long left = 64L << 20;

            @Override
            public int read() {
                return left-- > 0 ? 'a' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'a');
                left -= n;
                return n;
            }
        };
        var reader = new LineReader(endless, 1024);
        assertThat(reader.next()).isEqualTo(new LineReader.Line.TooLong(64L << 20));
    }

    @Test
    void invalidUtf8IsReportedNotGuessed() throws IOException {
        var reader = new LineReader(new ByteArrayInputStream(new byte[] {(byte) 0xC3, (byte) 0x28, '\n'}));
        assertThat(reader.next()).isEqualTo(new LineReader.Line.NotUtf8(2));
    }

    private static InputStream stream(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }
}
