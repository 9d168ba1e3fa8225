package dev.claw4j.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * Drains a process's output and keeps only its head and its tail, so a command that prints gigabytes
 * costs a bounded amount of memory and the model still sees how it started and how it ended.
 * Thread-safe: one thread drains while another may take the text.
 */
final class OutputCapture {
    private final int headLimit;
    private final int tailLimit;
    private final StringBuilder head = new StringBuilder();
    private final StringBuilder tail = new StringBuilder();
    private long total;

    /** Keeps at most about {@code limitChars} characters in all. */
    OutputCapture(int limitChars) {
        this.headLimit = Math.max(limitChars, 0) / 2;
        this.tailLimit = Math.max(limitChars, 0) - headLimit;
    }

    /** Reads the stream to its end (or until it fails, e.g. closed under us). Malformed UTF-8 becomes U+FFFD. */
    void drain(InputStream in) {
        char[] buffer = new char[8192];
        try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
            int n;
            while ((n = reader.read(buffer)) > 0) {
                append(buffer, n);
            }
        } catch (IOException e) {
            // the stream went away; what was read so far is the output
        }
    }

    synchronized void append(char[] chars, int length) {
        total += length;
        int offset = 0;
        if (head.length() < headLimit) {
            int toHead = Math.min(headLimit - head.length(), length);
            head.append(chars, 0, toHead);
            offset = toHead;
        }
        tail.append(chars, offset, length - offset);
        // trim in batches, not on every append
        if (tail.length() > 2 * tailLimit + 8192) {
            tail.delete(0, tail.length() - tailLimit);
        }
    }

    /** Everything kept: all of it when it fit, else head, a notice of how much was cut, and tail. */
    synchronized String text() {
        String end = Text.safeTail(tail.toString(), tailLimit);
        long cut = total - head.length() - end.length();
        return cut <= 0 ? head + end : head + Text.cutNotice(cut) + end;
    }
}
