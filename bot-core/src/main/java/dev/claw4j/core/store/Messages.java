package dev.claw4j.core.store;

import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Inbound messages (and, for reading a chat, every message of it) with their attachments. Every message is
 * recorded here before anything else happens, so a crash loses nothing a user sent.
 */
public final class Messages {
    private static final String INBOUND_COLUMNS = "SELECT id, group_id, platform, chat_id, thread_id, sender_id, "
            + "sender_name, text, platform_message_id, created_at FROM messages ";

    private final Jdbc jdbc;
    private final Cursors cursors;

    Messages(Jdbc jdbc, Cursors cursors) {
        this.jdbc = jdbc;
        this.cursors = cursors;
    }

    /** Records an inbound message with the given status; empty when this platform message id was seen before. */
    public Optional<Long> insertInbound(InboundMessage m, MessageStatus status) {
        return insertInbound(m, status, List.of());
    }

    /** Records an inbound message and its attachments in one transaction; empty when seen before. */
    public Optional<Long> insertInbound(InboundMessage m, MessageStatus status, List<StoredAttachment> attachments) {
        return insertInbound(m, status, attachments, null);
    }

    /**
     * The same, and moves the connector's cursor (when not null) in the same transaction, so the cursor is on
     * disk only with the message it covers. When the message was stored before, the cursor still moves (the
     * message it covers is already on disk).
     */
    public Optional<Long> insertInbound(InboundMessage m, MessageStatus status, List<StoredAttachment> attachments,
                                        Cursor cursor) {
        try {
            return Optional.of(jdbc.inTransaction("recording message " + m.platformMessageId(), tx -> {
                if (cursor != null) {
                    cursors.move(tx, cursor);
                }
                long id = tx.insert("INSERT INTO messages (direction, platform, chat_id, thread_id, "
                        + "sender_id, sender_name, text, platform_message_id, status, created_at, updated_at) "
                        + "VALUES ('in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", m.platform(), m.chatId(), m.threadId(),
                        m.senderId(), m.senderName(), m.text(), m.platformMessageId(), status, m.receivedAt(),
                        Instant.now());
                tx.batch("INSERT INTO attachments (message_id, seq, name, mime_type, size_bytes, stored_as) "
                        + "VALUES (?, ?, ?, ?, ?, ?)", attachments.stream().map(a -> new Object[] {
                            id, a.seq(), a.name(), a.mimeType(), a.sizeBytes(), a.storedAs()}).toList());
                return id;
            }));
        } catch (StoreException e) {
            if (Jdbc.isUniqueViolation(e)) {
                if (cursor != null) {
                    cursors.advanceCursor(cursor);
                }
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * The newest inbound message of every chat and thread of the platform that received one since
     * {@code since}; "newest" by numeric order of the platform id (ids are left-padded to 20 digits, which
     * holds any unsigned 64-bit number, so the comparison is numeric for decimal ids). One row per chat and
     * thread, oldest chat first.
     */
    public List<Inbox.LastSeen> latestInbound(String platform, Instant since) {
        return jdbc.run("reading the newest message of each " + platform + " chat", tx -> tx.list(
                "SELECT m.chat_id, m.thread_id, m.platform_message_id, m.sender_id, "
                + "c.kind FROM messages m JOIN (SELECT chat_id, COALESCE(thread_id, '') AS thread, "
                + "MAX(LPAD(platform_message_id, 20, '0')) AS newest FROM messages "
                + "WHERE direction = 'in' AND platform = ? AND created_at >= ? "
                + "GROUP BY chat_id, COALESCE(thread_id, '')) n ON m.chat_id = n.chat_id "
                + "AND COALESCE(m.thread_id, '') = n.thread AND LPAD(m.platform_message_id, 20, '0') = n.newest "
                + "LEFT JOIN chats c ON c.platform = m.platform AND c.chat_id = m.chat_id "
                + "WHERE m.direction = 'in' AND m.platform = ? ORDER BY n.newest", rs -> {
                    String kind = rs.getString(5);
                    return new Inbox.LastSeen(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            kind == null ? ChatKind.GROUP : ChatKind.valueOf(kind));
                }, platform, since, platform));
    }

    /** The files that came with a message, in the order they were sent. */
    public List<StoredAttachment> attachments(long messageId) {
        return jdbc.run("reading the attachments of message " + messageId, tx -> tx.list(
                "SELECT seq, name, mime_type, size_bytes, stored_as FROM attachments WHERE message_id = ? ORDER BY seq",
                rs -> new StoredAttachment(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getString(5)), messageId));
    }

    /** The id a platform message was stored under, if it was. */
    public Optional<Long> inboundId(String platform, String platformMessageId) {
        return jdbc.run("finding message " + platformMessageId, tx -> tx.optional(
                "SELECT id FROM messages WHERE direction = 'in' AND platform = ? AND platform_message_id = ?",
                rs -> rs.getLong(1), platform, platformMessageId));
    }

    public void assignGroup(long messageId, String groupId) {
        jdbc.run("assigning message " + messageId, tx -> tx.update(
                "UPDATE messages SET group_id = ?, updated_at = ? WHERE id = ?", groupId, Instant.now(), messageId));
    }

    /** The group's messages that wait for a turn, oldest first. */
    public List<StoredInbound> pendingFor(String groupId) {
        return jdbc.run("reading pending messages of " + groupId, tx -> tx.list(INBOUND_COLUMNS
                + "WHERE group_id = ? AND direction = 'in' AND status = 'PENDING' ORDER BY id",
                Messages::storedInbound, groupId));
    }

    /** One inbound message, if it exists and still waits (status PENDING). */
    public Optional<StoredInbound> pendingInbound(long id) {
        return jdbc.run("reading message " + id, tx -> tx.optional(INBOUND_COLUMNS
                + "WHERE id = ? AND direction = 'in' AND status = 'PENDING'", Messages::storedInbound, id));
    }

    /**
     * Moves the messages to {@code next}, all or none: each move is checked by {@link MessageStatus#canMoveTo} against
     * the status read (and locked) in the same transaction, and a wrong one refuses the lot, naming the ids and both
     * ends. A message already at {@code next} is left as it is (a repeated hand-back is no move); an id that names
     * no message is skipped.
     */
    public void setStatus(List<Long> messageIds, MessageStatus next) {
        if (messageIds.isEmpty()) {
            return;
        }
        jdbc.inTransaction("marking messages " + messageIds + " " + next, tx -> {
            String in = String.join(", ", messageIds.stream().map(id -> "?").toList());
            List<Map.Entry<Long, MessageStatus>> current = tx.list("SELECT id, status FROM messages WHERE id IN ("
                    + in + ") ORDER BY id FOR UPDATE", rs -> Map.entry(rs.getLong(1),
                    MessageStatus.valueOf(rs.getString(2))), messageIds.toArray());
            List<String> wrong = current.stream().filter(e -> e.getValue() != next && !e.getValue().canMoveTo(next))
                    .map(e -> "message " + e.getKey() + " is " + e.getValue()).toList();
            if (!wrong.isEmpty()) {
                throw new IllegalStateException("refused to move messages " + messageIds + " to " + next + ": "
                        + String.join(", ", wrong) + ", and MessageStatus.canMoveTo allows no move from there to "
                        + next + "; nothing was changed. This is a bug in the caller: see canMoveTo for the moves");
            }
            return tx.batch("UPDATE messages SET status = ?, updated_at = ? WHERE id = ?", current.stream()
                    .filter(e -> e.getValue() != next).map(e -> new Object[] {next, Instant.now(), e.getKey()})
                    .toList());
        });
    }

    /** Claims the messages a turn takes, inside its transaction: each becomes RUNNING only if still PENDING. */
    List<Long> claimRunning(Tx tx, List<Long> messageIds) throws SQLException {
        List<Long> taken = new java.util.ArrayList<>();
        for (long id : messageIds) {
            if (tx.update("UPDATE messages SET status = 'RUNNING', updated_at = ? WHERE id = ? AND status = 'PENDING'",
                    Instant.now(), id) == 1) {
                taken.add(id);
            }
        }
        return taken;
    }

    /**
     * A host just took a group's lease: what the former holder (another host, or an earlier run of this one) left
     * half done waits again: messages whose turn was cut off before a reply was stored, and replies cut off while
     * being sent. Fenced, so it happens only under the new lease. Returns how many rows wait again.
     */
    public int requeueGroup(dev.claw4j.core.cluster.Fence fence) {
        return jdbc.inTransaction("re-queueing the unfinished work of " + fence.groupId(), tx -> {
            dev.claw4j.core.cluster.Cluster.requireHeld(tx, fence, "re-queueing unfinished work");
            int n = tx.update("UPDATE messages SET status = 'PENDING', updated_at = ? WHERE group_id = ? "
                    + "AND direction = 'in' AND status = 'RUNNING' AND reply_id IS NULL", Instant.now(), fence.groupId());
            return n + Outbox.requeueSending(tx, fence.groupId());
        });
    }

    /** Groups with messages waiting for a turn or cut off in one (by any host), for a host that starts. */
    public List<String> groupsWithWork() {
        return jdbc.run("reading the groups with waiting work", tx -> tx.list("SELECT DISTINCT group_id FROM messages "
                + "WHERE direction = 'in' AND status IN ('PENDING', 'RUNNING') AND group_id IS NOT NULL "
                + "ORDER BY group_id", rs -> rs.getString(1)));
    }

    /**
     * After a crash: messages whose turn was cut off before a reply was stored wait again. Messages that
     * have a stored reply only wait for its delivery; a reply cut off while being sent is sent again (at least
     * once beats never). Returns the groups that have work.
     */
    public List<String> requeueInterrupted() {
        return jdbc.inTransaction("re-queueing interrupted messages", tx -> {
            tx.update("UPDATE messages SET status = 'PENDING', updated_at = ? "
                    + "WHERE direction = 'in' AND status = 'RUNNING' AND reply_id IS NULL", Instant.now());
            Outbox.requeueSending(tx);
            return tx.list("SELECT DISTINCT group_id FROM messages WHERE direction = 'in' "
                    + "AND status = 'PENDING' AND group_id IS NOT NULL ORDER BY group_id", rs -> rs.getString(1));
        });
    }

    /** Addressed messages that never got a group (the host died between storing and routing them). */
    public List<InboundMessage> unrouted() {
        return jdbc.run("reading unrouted messages", tx -> tx.list("SELECT platform, chat_id, thread_id, sender_id, "
                + "sender_name, text, platform_message_id, created_at FROM messages WHERE direction = 'in' "
                + "AND status = 'PENDING' AND group_id IS NULL ORDER BY id",
                rs -> new InboundMessage(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), ChatKind.DIRECT, true,
                        rs.getTimestamp(8).toInstant())));
    }

    /** A chat's messages in order, in and out, for the web chat and for tests. */
    public List<ChatLine> history(String platform, String chatId) {
        return jdbc.run("reading chat " + chatId, tx -> tx.list("SELECT id, direction, sender_name, text, status, "
                + "created_at FROM messages WHERE platform = ? AND chat_id = ? ORDER BY id", Messages::chatLine,
                platform, chatId));
    }

    /** A group's last {@code limit} messages, in and out, oldest first. */
    public List<ChatLine> groupMessages(String groupId, int limit) {
        return jdbc.run("reading the messages of " + groupId, tx -> tx.list("SELECT id, direction, sender_name, "
                + "text, status, created_at FROM messages WHERE group_id = ? ORDER BY id DESC LIMIT ?",
                Messages::chatLine, groupId, limit)).reversed();
    }

    /** The chats ({@code platform:chat id}) a group's messages came from or went to. */
    public List<String> chatsOf(String groupId) {
        return jdbc.run("reading the chats of " + groupId, tx -> tx.list("SELECT DISTINCT platform, chat_id "
                + "FROM messages WHERE group_id = ? ORDER BY platform, chat_id",
                rs -> rs.getString(1) + ":" + rs.getString(2), groupId));
    }

    /** Inbound and outbound messages stored since a moment. */
    public record Traffic(long inbound, long outbound) {}

    /** Messages routed to a group and waiting for a turn: how many, and since when the oldest waits. */
    public record Backlog(long messages, Instant oldest) {}

    public Traffic trafficSince(Instant since) {
        return jdbc.run("counting messages", tx -> tx.one("SELECT "
                + "COALESCE(SUM(CASE WHEN direction = 'in' THEN 1 ELSE 0 END), 0), "
                + "COALESCE(SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END), 0) FROM messages WHERE created_at >= ?",
                rs -> new Traffic(rs.getLong(1), rs.getLong(2)), since));
    }

    public Backlog backlog() {
        return jdbc.run("reading the backlog", tx -> tx.one("SELECT COUNT(*), MIN(created_at) FROM messages "
                + "WHERE direction = 'in' AND status = 'PENDING' AND group_id IS NOT NULL",
                rs -> new Backlog(rs.getLong(1), Tx.instant(rs, 2))));
    }

    /** When the platform last brought a message, if ever. */
    public Optional<Instant> lastInbound(String platform) {
        return latest("reading the last message of " + platform,
                "SELECT MAX(created_at) FROM messages WHERE direction = 'in' AND platform = ?", platform);
    }

    /** When anything was last said in a group, if ever. */
    public Optional<Instant> lastActivity(String groupId) {
        return latest("reading the last activity of " + groupId,
                "SELECT MAX(created_at) FROM messages WHERE group_id = ?", groupId);
    }

    /** The one time a {@code SELECT MAX(...)} with one parameter gives, if any row matched. */
    private Optional<Instant> latest(String what, String sql, String param) {
        return Optional.ofNullable(jdbc.run(what, tx -> tx.one(sql, rs -> Tx.instant(rs, 1), param)));
    }

    private static StoredInbound storedInbound(ResultSet rs) throws SQLException {
        return new StoredInbound(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getTimestamp(10).toInstant());
    }

    private static ChatLine chatLine(ResultSet rs) throws SQLException {
        return new ChatLine(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getTimestamp(6).toInstant());
    }
}
