package dev.claw4j.core.store;

import dev.claw4j.core.model.OutboundMessage;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Replies waiting for delivery (outbound rows of {@code messages}) and what became of them. A reply's status is a
 * {@link ReplyStatus}; the inbound messages it answers follow it (DONE when it is delivered, FAILED when given up).
 */
public final class Outbox {
    private static final String REPLY_COLUMNS = "SELECT o.id, o.platform, o.chat_id, o.thread_id, o.text, "
            + "i.platform_message_id, o.file_path FROM messages o LEFT JOIN messages i ON i.id = o.in_reply_to ";

    private final Jdbc jdbc;

    Outbox(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Stores a reply for delivery and links the inbound messages it answers; they become DONE when it is
     * delivered (or stay FAILED when {@code failed}: the reply then explains what went wrong).
     */
    public long insertReply(String groupId, String platform, String chatId, String threadId, String text,
                            Long inReplyTo, List<Long> answers, boolean failed) {
        return insertReply(groupId, platform, chatId, threadId, text, inReplyTo, answers, failed, null);
    }

    /** The same, with a file to send (a host path the outbox hands to the connector). */
    public long insertReply(String groupId, String platform, String chatId, String threadId, String text,
                            Long inReplyTo, List<Long> answers, boolean failed, Path file) {
        return jdbc.inTransaction("storing a reply", tx -> {
            long id = tx.insert("INSERT INTO messages (direction, platform, chat_id, thread_id, sender_id, "
                    + "sender_name, text, group_id, in_reply_to, status, created_at, updated_at, file_path) "
                    + "VALUES ('out', ?, ?, ?, 'agent', 'agent', ?, ?, ?, ?, ?, ?, ?)", platform, chatId, threadId,
                    text, groupId, inReplyTo == null ? Tx.nullOf(Types.BIGINT) : inReplyTo, ReplyStatus.PENDING,
                    Instant.now(), Instant.now(), file == null ? null : file.toString());
            MessageStatus answered = failed ? MessageStatus.FAILED : MessageStatus.RUNNING;
            tx.batch("UPDATE messages SET reply_id = ?, status = ?, updated_at = ? WHERE id = ?",
                    answers.stream().map(a -> new Object[] {id, answered, Instant.now(), a}).toList());
            return id;
        });
    }

    /**
     * Takes a reply for one delivery attempt: true for exactly one caller while it waits (PENDING becomes
     * SENDING), so the immediate delivery and the retry loop can never both send it.
     */
    public boolean claimReply(long replyId) {
        return jdbc.run("claiming reply " + replyId, tx -> tx.update("UPDATE messages SET status = ?, updated_at = ? "
                + "WHERE id = ? AND direction = 'out' AND status = ?", ReplyStatus.PENDING.requireMoveTo(
                        ReplyStatus.SENDING), Instant.now(), replyId, ReplyStatus.PENDING) == 1);
    }

    public void markDelivered(long replyId) {
        markDelivered(replyId, List.of());
    }

    /** The reply is delivered and became these platform messages (none when the platform said no id). */
    public void markDelivered(long replyId, List<String> platformIds) {
        String ids = platformIds.isEmpty() ? null : String.join(",", platformIds);
        if (ids != null && ids.length() > 2000) {
            int cut = ids.lastIndexOf(',', 2000); // keep the first parts' ids; a reply that long is rare
            ids = cut > 0 ? ids.substring(0, cut) : null;
        }
        String stored = ids;
        jdbc.inTransaction("marking reply " + replyId + " delivered", tx -> {
            tx.update("UPDATE messages SET status = ?, platform_reply_ids = ?, updated_at = ? WHERE id = ?",
                    ReplyStatus.DELIVERED, stored, Instant.now(), replyId);
            tx.update("UPDATE messages SET status = ?, updated_at = ? WHERE reply_id = ? AND status = ?",
                    MessageStatus.RUNNING.requireMoveTo(MessageStatus.DONE), Instant.now(), replyId,
                    MessageStatus.RUNNING);
            return null;
        });
    }

    /** The platform's ids of the messages a delivered reply became, in order; empty when none were given. */
    public List<String> platformReplyIds(long replyId) {
        String ids = jdbc.run("reading the platform ids of reply " + replyId, tx -> tx.optional(
                "SELECT platform_reply_ids FROM messages WHERE id = ?", rs -> Optional.ofNullable(rs.getString(1)),
                replyId)).flatMap(s -> s).orElse(null);
        return ids == null || ids.isEmpty() ? List.of() : List.of(ids.split(","));
    }

    /** A delivery attempt failed: try again at {@code nextAttempt}, or give up when it is null. */
    public void deliveryFailed(long replyId, String error, Instant nextAttempt) {
        jdbc.inTransaction("recording a failed delivery", tx -> {
            tx.update("UPDATE messages SET attempts = attempts + 1, error = ?, next_attempt_at = ?, status = ?, "
                    + "updated_at = ? WHERE id = ?", error.length() > 2000 ? error.substring(0, 2000) : error,
                    nextAttempt == null ? Tx.nullOf(Types.TIMESTAMP) : nextAttempt,
                    nextAttempt == null ? ReplyStatus.FAILED : ReplyStatus.PENDING, Instant.now(), replyId);
            if (nextAttempt == null) {
                // given up: the messages it answered will never be DONE
                tx.update("UPDATE messages SET status = ?, updated_at = ? WHERE reply_id = ? AND status = ?",
                        MessageStatus.RUNNING.requireMoveTo(MessageStatus.FAILED), Instant.now(), replyId,
                        MessageStatus.RUNNING);
            }
            return null;
        });
    }

    public int attempts(long replyId) {
        return jdbc.run("reading attempts", tx -> tx.optional("SELECT attempts FROM messages WHERE id = ?",
                rs -> rs.getInt(1), replyId)).orElse(0);
    }

    /** Replies waiting for delivery whose next attempt is due. */
    public List<OutboundMessage> dueReplies(Instant now) {
        return jdbc.run("reading due replies", tx -> tx.list(REPLY_COLUMNS + "WHERE o.direction = 'out' "
                + "AND o.status = 'PENDING' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) ORDER BY o.id",
                Outbox::outbound, now));
    }

    public Optional<OutboundMessage> reply(long replyId) {
        return jdbc.run("reading reply " + replyId, tx -> tx.optional(REPLY_COLUMNS + "WHERE o.id = ?",
                Outbox::outbound, replyId));
    }

    /** After a crash, inside the re-queueing transaction: a reply cut off while being sent waits again. */
    static void requeueSending(Tx tx) throws SQLException {
        tx.update("UPDATE messages SET status = ?, updated_at = ? WHERE direction = 'out' AND status = ?",
                ReplyStatus.SENDING.requireMoveTo(ReplyStatus.PENDING), Instant.now(), ReplyStatus.SENDING);
    }

    private static OutboundMessage outbound(ResultSet rs) throws SQLException {
        String file = rs.getString(7);
        return new OutboundMessage(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), file == null ? null : Path.of(file));
    }
}
