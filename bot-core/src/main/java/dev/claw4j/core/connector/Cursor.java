package dev.claw4j.core.connector;

import java.util.Objects;

/**
 * How far a connector has read its platform's stream of events (Telegram's getUpdates offset: the next update
 * to ask for). The host stores it in the same transaction as the message it covers, so after a crash the
 * connector resumes exactly after the last stored message: never ahead of the store (a lost message), and
 * never far behind (the store deduplicates the few it sees again). A cursor never moves backwards.
 */
public record Cursor(String key, long position) {
    public Cursor {
        Objects.requireNonNull(key, "key");
        if (key.isBlank() || key.length() > 200) {
            throw new IllegalArgumentException("a cursor key must be 1 to 200 characters, got \"" + key + "\"");
        }
    }
}
