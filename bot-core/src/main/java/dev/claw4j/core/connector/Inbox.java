package dev.claw4j.core.connector;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;

/** The host's side of every connector: where messages go in, and where a chat's history can be read. */
public interface Inbox {
    /**
     * Records the message before anything else happens and queues it for its agent when it is addressed
     * to the bot. Calling it again with the same platform message id changes nothing.
     */
    Accepted receive(InboundMessage message);

    /**
     * The same, and the connector's {@link Cursor} moves to {@code cursor} in the same transaction as the
     * message is stored: both are on disk, or neither. The cursor is written also when the message is a
     * duplicate, not addressed or refused.
     */
    default Accepted receive(InboundMessage message, Cursor cursor) {
        throw noCursors();
    }

    /** Moves a cursor past events that carry no message (edits, joins…); never backwards. */
    default void advance(Cursor cursor) {
        throw noCursors();
    }

    /** Where the connector's cursor stands, empty when it was never written. */
    default OptionalLong cursor(String key) {
        return OptionalLong.empty();
    }

    /** The chat's messages in order, inbound and replies. */
    List<ChatLine> history(String platform, String chatId);

    /**
     * For each chat (and each thread in it) of the platform with an inbound message received since
     * {@code since}: the newest inbound message stored, by numeric order of its platform id (the platform's
     * ids must be decimal numbers that grow with time, like Discord's snowflakes). A connector whose platform
     * replays nothing after a restart reads the history after it to catch up with what it missed.
     */
    default List<LastSeen> latestInbound(String platform, Instant since) {
        return List.of();
    }

    /**
     * A connector refused a request before it became a message (a forged Slack signature, a wrong Telegram
     * webhook secret): for the audit trail.
     */
    default void refused(String platform, String what) {}

    private static UnsupportedOperationException noCursors() {
        // silently storing the message without its cursor would let the connector's position run ahead of it
        return new UnsupportedOperationException("this inbox keeps no connector cursors; start the connector "
                + "with the host's inbox (dev.claw4j.core.host.Host), which stores them with the messages");
    }

    /**
     * The newest inbound message stored in a chat or thread ({@code threadId} null outside threads): its
     * platform id and sender (in a direct chat, the person, by which the chat can be opened again).
     */
    record LastSeen(String chatId, String threadId, String platformMessageId, String senderId, ChatKind kind) {}

    /** What happened to a received message. */
    record Accepted(long messageId, boolean duplicate, boolean addressed) {}
}
