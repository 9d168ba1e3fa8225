package dev.claw4j.core.connector;

import dev.claw4j.core.model.OutboundMessage;

/**
 * A chat platform, seen from the host. A connector turns platform events into
 * {@link dev.claw4j.core.model.InboundMessage}s handed to the {@link Inbox}, and delivers replies with the
 * platform's rules. Slack, Discord, Telegram and the web chat implement it; bot-core never imports them.
 */
public interface Connector extends AutoCloseable {
    /** The platform's name as stored: {@code slack}, {@code discord}, {@code telegram}, {@code web}. */
    String platform();

    /** Connects and starts handing messages to the inbox. Throws with a clear message when it cannot start. */
    void start(Inbox inbox);

    /**
     * Delivers one reply and says what the platform gave back (its message ids, stored with the reply).
     * Throwing means "not delivered": the outbox retries later. Once the platform accepted a reply (any 2xx,
     * readable or not) this must return, never throw, or the reply would be sent twice.
     */
    Delivered deliver(OutboundMessage message) throws DeliveryException;

    /** The agent started or stopped working on this chat (typing indicator, reactions). Best effort. */
    default void working(String chatId, String threadId, boolean busy) {}

    /** The same, also telling at the end whether the turn failed (Slack shows ❌ instead of ✅). */
    default void working(String chatId, String threadId, boolean busy, boolean failed) {
        working(chatId, threadId, busy);
    }

    /**
     * Shows a status message (what the agent is doing) in the chat, to be edited in place and removed at the end of
     * the turn; returns its handle, or null when this platform shows none. The host calls it at most every 2 s.
     */
    default String progress(String chatId, String threadId, String text) {
        return null;
    }

    /** Replaces the text of the status message {@code handle}. Best effort. */
    default void editProgress(String chatId, String threadId, String handle, String text) {}

    /** Removes the status message {@code handle}. Best effort. */
    default void clearProgress(String chatId, String threadId, String handle) {}

    @Override
    void close();
}
