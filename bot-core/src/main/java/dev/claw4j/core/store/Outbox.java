package dev.claw4j.core.store;

import dev.claw4j.core.cluster.Cluster;
import dev.claw4j.core.cluster.Fence;
import dev.claw4j.core.cluster.FencedOutException;
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
        return insertReply(groupId, platform, chatId, threadId, text, inReplyTo, answers, failed, file, null);
    }

    /**
     * The same, fenced: refused ({@link FencedOutException}, nothing stored) unless this host still holds the group's
     * lease under the fence's token. A null fence: no check (a host that shares its database with no one).
     */
    public long insertReply(String groupId, String platform, String chatId, String threadId, String text,
                            Long inReplyTo, List<Long> answers, boolean failed, Path file, Fence fence) {
        return jdbc.inTransaction("storing a reply", tx -> {
            if (fence != null) {
                Cluster.requireHeld(tx, fence, "storing a reply");
            }
            long id = tx.insert("INSERT INTO messages (direction, platform, chat_id, thread_id, sender_id, "
                    + "sender_name, text, group_id, in_reply_to, status, created_at, updated_at, file_path) "
                    + "VALUES ('out', ?, ?, ?, 'agent', 'agent', ?, ?, ?, ?, ?, ?, ?)", platform, chatId, threadId,
                    text, groupId, Tx.orNull(inReplyTo, Types.BIGINT), ReplyStatus.PENDING,
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
        return claimReply(replyId, "");
    }

    /**
     * The same on a host among several: a reply of a group another live host holds is that host's to deliver (it is
     * refused here), so a reply is picked for delivery by one host, the group's holder, or any host when no one holds
     * the group.
     */
    public boolean claimReply(long replyId, String hostId) {
        return jdbc.run("claiming reply " + replyId, tx -> tx.update("UPDATE messages SET status = ?, updated_at = ? "
                + "WHERE id = ? AND direction = 'out' AND status = ? AND " + NOT_HELD_ELSEWHERE,
                ReplyStatus.PENDING.requireMoveTo(ReplyStatus.SENDING), Instant.now(), replyId, ReplyStatus.PENDING,
                hostId) == 1);
    }

    /** The message's group is not held by a live host other than the one given (the next parameter). */
    private static final String NOT_HELD_ELSEWHERE = "(group_id IS NULL OR NOT EXISTS (SELECT 1 FROM group_leases l "
            + "WHERE l.group_id = messages.group_id AND l.host_id <> ? AND l.expires_at > CURRENT_TIMESTAMP))";

    public void markDelivered(long replyId) {
        markDelivered(replyId, List.of());
    }

    /** The reply is delivered and became these platform messages (none when the platform said no id). */
    public void markDelivered(long replyId, List<String> platformIds) {
        markDelivered(replyId, platformIds, "");
    }

    /**
     * The same on a host among several: refused ({@link FencedOutException}, nothing written) when another live host
     * holds the reply's group now (it took the group over while this host was delivering; it delivers it again).
     */
    public void markDelivered(long replyId, List<String> platformIds, String hostId) {
        String ids = platformIds.isEmpty() ? null : String.join(",", platformIds);
        if (ids != null && ids.length() > 2000) {
            int cut = ids.lastIndexOf(',', 2000); // keep the first parts' ids; a reply that long is rare
            ids = cut > 0 ? ids.substring(0, cut) : null;
        }
        String stored = ids;
        jdbc.inTransaction("marking reply " + replyId + " delivered", tx -> {
            int marked = tx.update("UPDATE messages SET status = ?, platform_reply_ids = ?, updated_at = ? WHERE id = ? "
                    + "AND " + NOT_HELD_ELSEWHERE, ReplyStatus.DELIVERED, stored, Instant.now(), replyId, hostId);
            if (marked == 0 && !hostId.isEmpty()) {
                String group = tx.optional("SELECT group_id FROM messages WHERE id = ?", rs -> rs.getString(1),
                        replyId).orElse(null);
                org.slf4j.LoggerFactory.getLogger(Outbox.class).warn("[{}] refused marking reply {} delivered: another "
                        + "host holds group {} now and delivers it", group, replyId, group);
                throw new FencedOutException(new Fence(group, hostId, 0), "marking reply " + replyId + " delivered");
            }
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
                    Tx.orNull(nextAttempt, Types.TIMESTAMP),
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

    /** After a takeover, inside the re-queueing transaction: the group's replies cut off while being sent wait again. */
    static int requeueSending(Tx tx, String groupId) throws SQLException {
        return tx.update("UPDATE messages SET status = ?, updated_at = ? WHERE group_id = ? AND direction = 'out' "
                + "AND status = ?", ReplyStatus.SENDING.requireMoveTo(ReplyStatus.PENDING), Instant.now(), groupId,
                ReplyStatus.SENDING);
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
