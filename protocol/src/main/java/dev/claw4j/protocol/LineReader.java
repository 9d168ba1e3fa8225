package dev.claw4j.protocol;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads newline-terminated lines from a stream with a hard size cap. A line over the cap is skipped
 * up to its newline without being kept in memory, and reported as {@link Line.TooLong}; so whatever
 * the other side writes, this reader holds at most {@code maxBytes} at once.
 */
public final class LineReader {
    /** One read outcome. */
    public sealed interface Line {
        record Text(String text) implements Line {}

        record TooLong(long bytes) implements Line {}

        record NotUtf8(int bytes) implements Line {}

        record End() implements Line {}
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[8192];
    private int pos;
    private int limit;
    private byte[] line = new byte[256];

    public LineReader(InputStream in) {
        this(in, JsonLines.MAX_LINE_BYTES);
    }

    public LineReader(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** The next line; {@link Line.End} at end of stream (a last line without newline is still returned). */
    public Line next() throws IOException {
        int length = 0;
        long total = 0;
        boolean sawAny = false;
        while (true) {
            if (pos == limit) {
                limit = in.read(buffer);
                pos = 0;
                if (limit <= 0) {
                    limit = 0;
                    if (!sawAny) {
                        return new Line.End();
                    }
                    return finish(length, total);
                }
            }
            sawAny = true;
            byte b = buffer[pos++];
            if (b == '\n') {
                return finish(length, total);
            }
            total++;
            if (total <= maxBytes) {
                if (length == line.length) {
                    line = Arrays.copyOf(line, Math.min(maxBytes, line.length * 2));
                }
                line[length++] = b;
            }
        }
    }

    private Line finish(int length, long total) {
        if (total > maxBytes) {
            shrink();
            return new Line.TooLong(total);
        }
        if (length > 0 && line[length - 1] == '\r') {
            length--;
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(line, 0, length))
                    .toString();
            shrink();
            return new Line.Text(text);
        } catch (CharacterCodingException e) {
            shrink();
            return new Line.NotUtf8(length);
        }
    }

    /** Gives back the memory of an unusually long line once it is handled. */
    private void shrink() {
        if (line.length > 64 * 1024) {
            line = new byte[256];
        }
    }
}
