package dev.claw4j.core.store;

import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.protocol.Usage;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.flywaydb.core.Flyway;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Everything the host must not forget, in H2 (a file under the data directory) migrated by Flyway.
 * Every message is recorded here before anything else happens, so a crash loses nothing a user sent.
 * The SQL is kept to what PostgreSQL runs as well.
 */
public final class Store implements AutoCloseable {
    public static final String IN = "in";
    public static final String OUT = "out";
    private static final String UNIQUE_VIOLATION = "23505";
    /** The database's file in the data directory. */
    public static final String DATABASE_FILE = "claw4j.mv.db";

    private final JdbcConnectionPool pool;

    private Store(String url, String password) {
        this.pool = JdbcConnectionPool.create(url, "claw4j", password);
        pool.setMaxConnections(32);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            pool.dispose();
            throw e;
        }
    }

    /**
     * Opens (creating or migrating) the database in {@code dataDir/claw4j.mv.db}, embedded: H2 opens no port, and
     * the file lock lets one process at a time have it ({@link DatabaseInUseException} for the next). Other
     * processes (the {@code ./claw4j access} commands) reach a running host through its admin endpoint. The data
     * directory is made 0700 and the database file 0600 before H2 opens it, and H2 keeps no trace file (its
     * errors reach the caller as exceptions). Its password is made once, readable by the owner only.
     */
    public static Store open(Path dataDir) {
        Path dir = PrivateFiles.dataDirectory(dataDir.toAbsolutePath());
        Path file = dir.resolve(DATABASE_FILE);
        try {
            PrivateFiles.touch(file); // H2 takes an empty file as a new database
        } catch (java.io.IOException e) {
            throw new StoreException("creating the database file " + file + "; check that " + dir
                    + " is writable by this user", e);
        }
        try {
            return new Store(url(dir), DatabasePassword.of(dir));
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && sql.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1) {
                    throw new DatabaseInUseException(file, e);
                }
            }
            throw e;
        }
    }

    /**
     * The JDBC address of the database in {@code dataDir}: a file, no server of any kind, no trace file.
     * {@code WRITE_DELAY=0}: a commit is written to the file before it returns (H2's default writes it up to
     * 500 ms later from a background thread, so a {@code kill -9} lost what had been acknowledged). This survives
     * the process dying, not the machine losing power (no fsync per commit). Measured: p50 of a stored message
     * 0.06 ms before, 0.14 ms after (StoreDurabilityTest shows the loss without it).
     *
     * <p>{@code DB_CLOSE_ON_EXIT=FALSE}: H2 would otherwise close the database from its own shutdown hook, at the
     * same moment as the host's orderly stop, whose last writes (a turn left for the next start, a reply marked
     * delivered) then failed with "Database is already closed". The host closes the store last itself.
     *
     * <p>The system property {@value #BENCH_WRITE_DELAY} is for {@code bench/run message-path} only, to measure what
     * durable commits cost against H2's default ({@code -Dclaw4j.h2.writeDelay=500}); never set it for a real host.
     */
    static String url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("claw4j") + ";TRACE_LEVEL_FILE=0;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY="
                + writeDelay();
    }

    /** Bench only: see {@link #url(Path)}. */
    static final String BENCH_WRITE_DELAY = "claw4j.h2.writeDelay";

    private static int writeDelay() {
        String bench = System.getProperty(BENCH_WRITE_DELAY);
        return bench == null || bench.isBlank() ? 0 : Integer.parseInt(bench.strip());
    }

    /** For tests: a private in-memory database. */
    public static Store inMemory(String name) {
        return new Store("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "");
    }

    /** For the tables other parts of bot-core keep (access). */
    public javax.sql.DataSource dataSource() {
        return pool;
    }

    // ---------------------------------------------------------------- chats, groups, bindings

    public void ensureChat(String platform, String chatId, ChatKind kind) {
        try {
            insertChatIfMissing(platform, chatId, kind);
        } catch (StoreException e) {
            // two first messages of one chat raced; the other one recorded it
            if (!(e.getCause() instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState()))) {
                throw e;
            }
        }
    }

    private void insertChatIfMissing(String platform, String chatId, ChatKind kind) {
        update("recording chat " + chatId, c -> {
            try (var ps = c.prepareStatement("INSERT INTO chats (platform, chat_id, kind, created_at) "
                    + "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM chats WHERE platform = ? AND chat_id = ?)")) {
                ps.setString(1, platform);
                ps.setString(2, chatId);
                ps.setString(3, kind.name());
                ps.setTimestamp(4, now());
                ps.setString(5, platform);
                ps.setString(6, chatId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The per-chat binding override, if an admin set one. */
    public Optional<String> chatBinding(String platform, String chatId) {
        return query("reading the binding of " + chatId, c -> {
            try (var ps = c.prepareStatement("SELECT binding FROM chats WHERE platform = ? AND chat_id = ?")) {
                ps.setString(1, platform);
                ps.setString(2, chatId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    public void setChatBinding(String platform, String chatId, String policy) {
        update("setting the binding of " + chatId, c -> {
            try (var ps = c.prepareStatement("UPDATE chats SET binding = ? WHERE platform = ? AND chat_id = ?")) {
                ps.setString(1, policy);
                ps.setString(2, platform);
                ps.setString(3, chatId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public Optional<String> groupForBinding(String bindingKey) {
        return query("reading binding " + bindingKey, c -> {
            try (var ps = c.prepareStatement("SELECT group_id FROM bindings WHERE binding_key = ?")) {
                ps.setString(1, bindingKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /**
     * Binds the key to a new group, or returns the group it is already bound to (two first messages
     * racing for one chat end up with one group).
     */
    public String bindNewGroup(String bindingKey, String newGroupId) {
        try {
            return inTransaction("creating group " + newGroupId, c -> {
                try (var g = c.prepareStatement("INSERT INTO agent_groups (id, created_at) VALUES (?, ?)");
                     var b = c.prepareStatement("INSERT INTO bindings (binding_key, group_id, created_at) VALUES (?, ?, ?)");
                     var s = c.prepareStatement("INSERT INTO sessions (group_id, started_at, turns) VALUES (?, ?, 0)")) {
                    g.setString(1, newGroupId);
                    g.setTimestamp(2, now());
                    g.executeUpdate();
                    b.setString(1, bindingKey);
                    b.setString(2, newGroupId);
                    b.setTimestamp(3, now());
                    b.executeUpdate();
                    s.setString(1, newGroupId);
                    s.setTimestamp(2, now());
                    s.executeUpdate();
                }
                return newGroupId;
            });
        } catch (StoreException e) {
            if (e.getCause() instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                return groupForBinding(bindingKey).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    public List<String> groups() {
        return query("listing groups", c -> {
            try (var ps = c.prepareStatement("SELECT id FROM agent_groups ORDER BY created_at, id");
                 ResultSet rs = ps.executeQuery()) {
                List<String> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        });
    }

    // ---------------------------------------------------------------- inbound messages

    /** Records an inbound message with the given status; empty when this platform message id was seen before. */
    public Optional<Long> insertInbound(InboundMessage m, String status) {
        return insertInbound(m, status, List.of());
    }

    /** Records an inbound message and its attachments in one transaction; empty when seen before. */
    public Optional<Long> insertInbound(InboundMessage m, String status, List<StoredAttachment> attachments) {
        return insertInbound(m, status, attachments, null);
    }

    /**
     * The same, and moves the connector's cursor (when not null) in the same transaction, so the cursor is on
     * disk only with the message it covers. When the message was stored before, the cursor still moves (the
     * message it covers is already on disk).
     */
    public Optional<Long> insertInbound(InboundMessage m, String status, List<StoredAttachment> attachments,
                                        Cursor cursor) {
        try {
            return Optional.of(inTransaction("recording message " + m.platformMessageId(), c -> {
                if (cursor != null) {
                    moveCursor(c, cursor);
                }
                try (var ps = c.prepareStatement("INSERT INTO messages (direction, platform, chat_id, thread_id, "
                        + "sender_id, sender_name, text, platform_message_id, status, created_at, updated_at) "
                        + "VALUES ('in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                    ps.setString(1, m.platform());
                    ps.setString(2, m.chatId());
                    ps.setString(3, m.threadId());
                    ps.setString(4, m.senderId());
                    ps.setString(5, m.senderName());
                    ps.setString(6, m.text());
                    ps.setString(7, m.platformMessageId());
                    ps.setString(8, status);
                    ps.setTimestamp(9, Timestamp.from(m.receivedAt()));
                    ps.setTimestamp(10, now());
                    ps.executeUpdate();
                    long id = generatedId(ps);
                    insertAttachments(c, id, attachments);
                    return id;
                }
            }));
        } catch (StoreException e) {
            if (e.getCause() instanceof SQLException sql && UNIQUE_VIOLATION.equals(sql.getSQLState())) {
                if (cursor != null) {
                    advanceCursor(cursor);
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
        return query("reading the newest message of each " + platform + " chat", c -> {
            try (var ps = c.prepareStatement("SELECT m.chat_id, m.thread_id, m.platform_message_id, m.sender_id, "
                    + "c.kind FROM messages m JOIN (SELECT chat_id, COALESCE(thread_id, '') AS thread, "
                    + "MAX(LPAD(platform_message_id, 20, '0')) AS newest FROM messages "
                    + "WHERE direction = 'in' AND platform = ? AND created_at >= ? "
                    + "GROUP BY chat_id, COALESCE(thread_id, '')) n ON m.chat_id = n.chat_id "
                    + "AND COALESCE(m.thread_id, '') = n.thread AND LPAD(m.platform_message_id, 20, '0') = n.newest "
                    + "LEFT JOIN chats c ON c.platform = m.platform AND c.chat_id = m.chat_id "
                    + "WHERE m.direction = 'in' AND m.platform = ? ORDER BY n.newest")) {
                ps.setString(1, platform);
                ps.setTimestamp(2, Timestamp.from(since));
                ps.setString(3, platform);
                try (ResultSet rs = ps.executeQuery()) {
                    List<Inbox.LastSeen> out = new ArrayList<>();
                    while (rs.next()) {
                        String kind = rs.getString(5);
                        out.add(new Inbox.LastSeen(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                kind == null ? ChatKind.GROUP : ChatKind.valueOf(kind)));
                    }
                    return out;
                }
            }
        });
    }

    // ---------------------------------------------------------------- connector cursors

    /** Moves a connector's cursor on its own (events that carry no message); it never moves backwards. */
    public void advanceCursor(Cursor cursor) {
        inTransaction("moving cursor " + cursor.key(), c -> {
            moveCursor(c, cursor);
            return null;
        });
    }

    /** Where a connector's cursor stands; empty when it was never written. */
    public OptionalLong cursor(String key) {
        return query("reading cursor " + key, c -> {
            try (var ps = c.prepareStatement("SELECT position FROM connector_cursors WHERE cursor_key = ?")) {
                ps.setString(1, key);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
                }
            }
        });
    }

    /**
     * UPDATE, then INSERT when no row was there: plain SQL that PostgreSQL runs as it is (no MERGE), inside the
     * caller's transaction. One connector instance writes one key, so the INSERT does not race.
     */
    private static void moveCursor(Connection c, Cursor cursor) throws SQLException {
        try (var ps = c.prepareStatement("UPDATE connector_cursors SET position = GREATEST(position, ?), "
                + "updated_at = ? WHERE cursor_key = ?")) {
            ps.setLong(1, cursor.position());
            ps.setTimestamp(2, now());
            ps.setString(3, cursor.key());
            if (ps.executeUpdate() > 0) {
                return;
            }
        }
        try (var ps = c.prepareStatement("INSERT INTO connector_cursors (cursor_key, position, updated_at) "
                + "VALUES (?, ?, ?)")) {
            ps.setString(1, cursor.key());
            ps.setLong(2, cursor.position());
            ps.setTimestamp(3, now());
            ps.executeUpdate();
        }
    }

    private static void insertAttachments(Connection c, long messageId, List<StoredAttachment> attachments)
            throws SQLException {
        if (attachments.isEmpty()) {
            return;
        }
        try (var ps = c.prepareStatement("INSERT INTO attachments (message_id, seq, name, mime_type, size_bytes, "
                + "stored_as) VALUES (?, ?, ?, ?, ?, ?)")) {
            for (StoredAttachment a : attachments) {
                ps.setLong(1, messageId);
                ps.setInt(2, a.seq());
                ps.setString(3, a.name());
                ps.setString(4, a.mimeType());
                ps.setLong(5, a.sizeBytes());
                ps.setString(6, a.storedAs());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The files that came with a message, in the order they were sent. */
    public List<StoredAttachment> attachments(long messageId) {
        return query("reading the attachments of message " + messageId, c -> {
            try (var ps = c.prepareStatement("SELECT seq, name, mime_type, size_bytes, stored_as FROM attachments "
                    + "WHERE message_id = ? ORDER BY seq")) {
                ps.setLong(1, messageId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<StoredAttachment> list = new ArrayList<>();
                    while (rs.next()) {
                        list.add(new StoredAttachment(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                                rs.getString(5)));
                    }
                    return list;
                }
            }
        });
    }

    /** The id a platform message was stored under, if it was. */
    public Optional<Long> inboundId(String platform, String platformMessageId) {
        return query("finding message " + platformMessageId, c -> {
            try (var ps = c.prepareStatement("SELECT id FROM messages WHERE direction = 'in' AND platform = ? "
                    + "AND platform_message_id = ?")) {
                ps.setString(1, platform);
                ps.setString(2, platformMessageId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
                }
            }
        });
    }

    public void assignGroup(long messageId, String groupId) {
        update("assigning message " + messageId, c -> {
            try (var ps = c.prepareStatement("UPDATE messages SET group_id = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, groupId);
                ps.setTimestamp(2, now());
                ps.setLong(3, messageId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The group's messages that wait for a turn, oldest first. */
    public List<StoredInbound> pendingFor(String groupId) {
        return query("reading pending messages of " + groupId, c -> {
            try (var ps = c.prepareStatement("SELECT id, group_id, platform, chat_id, thread_id, sender_id, sender_name, text, "
                    + "platform_message_id, created_at FROM messages WHERE group_id = ? AND direction = 'in' "
                    + "AND status = 'PENDING' ORDER BY id")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<StoredInbound> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(storedInbound(rs));
                    }
                    return out;
                }
            }
        });
    }

    /** One inbound message, if it exists and still waits (status PENDING). */
    public Optional<StoredInbound> pendingInbound(long id) {
        return query("reading message " + id, c -> {
            try (var ps = c.prepareStatement("SELECT id, group_id, platform, chat_id, thread_id, sender_id, sender_name, text, "
                    + "platform_message_id, created_at FROM messages WHERE id = ? AND direction = 'in' "
                    + "AND status = 'PENDING'")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(storedInbound(rs)) : Optional.empty();
                }
            }
        });
    }

    public void setStatus(List<Long> messageIds, String status) {
        if (messageIds.isEmpty()) {
            return;
        }
        update("marking messages " + status, c -> {
            try (var ps = c.prepareStatement("UPDATE messages SET status = ?, updated_at = ? WHERE id = ?")) {
                for (long id : messageIds) {
                    ps.setString(1, status);
                    ps.setTimestamp(2, now());
                    ps.setLong(3, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    /**
     * After a crash: messages whose turn was cut off before a reply was stored wait again. Messages that
     * have a stored reply only wait for its delivery. Returns the groups that have work.
     */
    public List<String> requeueInterrupted() {
        return inTransaction("re-queueing interrupted messages", c -> {
            try (var ps = c.prepareStatement("UPDATE messages SET status = 'PENDING', updated_at = ? "
                    + "WHERE direction = 'in' AND status = 'RUNNING' AND reply_id IS NULL")) {
                ps.setTimestamp(1, now());
                ps.executeUpdate();
            }
            // a reply cut off while being sent is sent again (at least once beats never)
            try (var ps = c.prepareStatement("UPDATE messages SET status = 'PENDING', updated_at = ? "
                    + "WHERE direction = 'out' AND status = 'SENDING'")) {
                ps.setTimestamp(1, now());
                ps.executeUpdate();
            }
            try (var ps = c.prepareStatement("SELECT DISTINCT group_id FROM messages WHERE direction = 'in' "
                    + "AND status = 'PENDING' AND group_id IS NOT NULL ORDER BY group_id");
                 ResultSet rs = ps.executeQuery()) {
                List<String> groups = new ArrayList<>();
                while (rs.next()) {
                    groups.add(rs.getString(1));
                }
                return groups;
            }
        });
    }

    /** Addressed messages that never got a group (the host died between storing and routing them). */
    public List<InboundMessage> unrouted() {
        return query("reading unrouted messages", c -> {
            try (var ps = c.prepareStatement("SELECT platform, chat_id, thread_id, sender_id, sender_name, text, "
                    + "platform_message_id, created_at FROM messages WHERE direction = 'in' AND status = 'PENDING' "
                    + "AND group_id IS NULL ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                List<InboundMessage> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(new InboundMessage(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), ChatKind.DIRECT, true,
                            rs.getTimestamp(8).toInstant()));
                }
                return out;
            }
        });
    }

    // ---------------------------------------------------------------- replies (the outbox)

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
        return inTransaction("storing a reply", c -> {
            long id;
            try (var ps = c.prepareStatement("INSERT INTO messages (direction, platform, chat_id, thread_id, sender_id, "
                    + "sender_name, text, group_id, in_reply_to, status, created_at, updated_at, file_path) "
                    + "VALUES ('out', ?, ?, ?, 'agent', 'agent', ?, ?, ?, 'PENDING', ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, platform);
                ps.setString(2, chatId);
                ps.setString(3, threadId);
                ps.setString(4, text);
                ps.setString(5, groupId);
                if (inReplyTo == null) {
                    ps.setNull(6, java.sql.Types.BIGINT);
                } else {
                    ps.setLong(6, inReplyTo);
                }
                ps.setTimestamp(7, now());
                ps.setTimestamp(8, now());
                ps.setString(9, file == null ? null : file.toString());
                ps.executeUpdate();
                id = generatedId(ps);
            }
            try (var ps = c.prepareStatement("UPDATE messages SET reply_id = ?, status = ?, updated_at = ? WHERE id = ?")) {
                for (long answered : answers) {
                    ps.setLong(1, id);
                    ps.setString(2, failed ? "FAILED" : "RUNNING");
                    ps.setTimestamp(3, now());
                    ps.setLong(4, answered);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return id;
        });
    }

    /**
     * Takes a reply for one delivery attempt: true for exactly one caller while it waits (PENDING becomes
     * SENDING), so the immediate delivery and the retry loop can never both send it.
     */
    public boolean claimReply(long replyId) {
        return update("claiming reply " + replyId, c -> {
            try (var ps = c.prepareStatement("UPDATE messages SET status = 'SENDING', updated_at = ? "
                    + "WHERE id = ? AND direction = 'out' AND status = 'PENDING'")) {
                ps.setTimestamp(1, now());
                ps.setLong(2, replyId);
                return ps.executeUpdate() == 1;
            }
        });
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
        inTransaction("marking reply " + replyId + " delivered", c -> {
            try (var ps = c.prepareStatement("UPDATE messages SET status = 'DELIVERED', platform_reply_ids = ?, "
                    + "updated_at = ? WHERE id = ?")) {
                ps.setString(1, stored);
                ps.setTimestamp(2, now());
                ps.setLong(3, replyId);
                ps.executeUpdate();
            }
            try (var ps = c.prepareStatement("UPDATE messages SET status = 'DONE', updated_at = ? "
                    + "WHERE reply_id = ? AND status = 'RUNNING'")) {
                ps.setTimestamp(1, now());
                ps.setLong(2, replyId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** The platform's ids of the messages a delivered reply became, in order; empty when none were given. */
    public List<String> platformReplyIds(long replyId) {
        return query("reading the platform ids of reply " + replyId, c -> {
            try (var ps = c.prepareStatement("SELECT platform_reply_ids FROM messages WHERE id = ?")) {
                ps.setLong(1, replyId);
                try (ResultSet rs = ps.executeQuery()) {
                    String ids = rs.next() ? rs.getString(1) : null;
                    return ids == null || ids.isEmpty() ? List.<String>of() : List.of(ids.split(","));
                }
            }
        });
    }

    /** A delivery attempt failed: try again at {@code nextAttempt}, or give up when it is null. */
    public void deliveryFailed(long replyId, String error, Instant nextAttempt) {
        inTransaction("recording a failed delivery", c -> {
            try (var ps = c.prepareStatement("UPDATE messages SET attempts = attempts + 1, error = ?, "
                    + "next_attempt_at = ?, status = ?, updated_at = ? WHERE id = ?")) {
                ps.setString(1, error.length() > 2000 ? error.substring(0, 2000) : error);
                ps.setTimestamp(2, nextAttempt == null ? null : Timestamp.from(nextAttempt));
                ps.setString(3, nextAttempt == null ? "FAILED" : "PENDING");
                ps.setTimestamp(4, now());
                ps.setLong(5, replyId);
                ps.executeUpdate();
            }
            if (nextAttempt == null) {
                // given up: the messages it answered will never be DONE
                try (var ps = c.prepareStatement("UPDATE messages SET status = 'FAILED', updated_at = ? "
                        + "WHERE reply_id = ? AND status = 'RUNNING'")) {
                    ps.setTimestamp(1, now());
                    ps.setLong(2, replyId);
                    ps.executeUpdate();
                }
            }
            return null;
        });
    }

    public int attempts(long replyId) {
        return query("reading attempts", c -> {
            try (var ps = c.prepareStatement("SELECT attempts FROM messages WHERE id = ?")) {
                ps.setLong(1, replyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? rs.getInt(1) : 0;
                }
            }
        });
    }

    /** Replies waiting for delivery whose next attempt is due. */
    public List<OutboundMessage> dueReplies(Instant now) {
        return query("reading due replies", c -> {
            try (var ps = c.prepareStatement("SELECT o.id, o.platform, o.chat_id, o.thread_id, o.text, "
                    + "i.platform_message_id, o.file_path FROM messages o LEFT JOIN messages i ON i.id = o.in_reply_to "
                    + "WHERE o.direction = 'out' AND o.status = 'PENDING' "
                    + "AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) ORDER BY o.id")) {
                ps.setTimestamp(1, Timestamp.from(now));
                try (ResultSet rs = ps.executeQuery()) {
                    List<OutboundMessage> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(outbound(rs));
                    }
                    return out;
                }
            }
        });
    }

    public Optional<OutboundMessage> reply(long replyId) {
        return query("reading reply " + replyId, c -> {
            try (var ps = c.prepareStatement("SELECT o.id, o.platform, o.chat_id, o.thread_id, o.text, "
                    + "i.platform_message_id, o.file_path FROM messages o LEFT JOIN messages i ON i.id = o.in_reply_to WHERE o.id = ?")) {
                ps.setLong(1, replyId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(outbound(rs)) : Optional.empty();
                }
            }
        });
    }

    /** A chat's messages in order, for the web chat and for tests. */
    public List<ChatLine> history(String platform, String chatId) {
        return query("reading chat " + chatId, c -> {
            try (var ps = c.prepareStatement("SELECT id, direction, sender_name, text, status, created_at FROM messages "
                    + "WHERE platform = ? AND chat_id = ? ORDER BY id")) {
                ps.setString(1, platform);
                ps.setString(2, chatId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<ChatLine> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new ChatLine(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getTimestamp(6).toInstant()));
                    }
                    return out;
                }
            }
        });
    }

    // ---------------------------------------------------------------- sessions, audit, usage

    /**
     * A turn takes these messages: one transaction marks them RUNNING, counts the turn and writes the audit
     * line, so the message path pays for one commit instead of three.
     */
    public void startTurn(String groupId, List<Long> messageIds, String isolation) {
        inTransaction("starting a turn of " + groupId, c -> {
            try (var ps = c.prepareStatement("UPDATE messages SET status = 'RUNNING', updated_at = ? WHERE id = ?")) {
                for (long id : messageIds) {
                    ps.setTimestamp(1, now());
                    ps.setLong(2, id);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            try (var ps = c.prepareStatement("UPDATE sessions SET turns = turns + 1 WHERE group_id = ?")) {
                ps.setString(1, groupId);
                ps.executeUpdate();
            }
            try (var ps = c.prepareStatement("INSERT INTO audit_events (occurred_at, group_id, kind, detail, isolation) "
                    + "VALUES (?, ?, 'turn.started', ?, ?)")) {
                ps.setTimestamp(1, now());
                ps.setString(2, groupId);
                ps.setString(3, messageIds.size() + " message(s)");
                ps.setString(4, isolation);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void sessionReset(String groupId) {
        update("resetting a session", c -> {
            try (var ps = c.prepareStatement("UPDATE sessions SET turns = 0, started_at = ? WHERE group_id = ?")) {
                ps.setTimestamp(1, now());
                ps.setString(2, groupId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    public void audit(String groupId, String kind, String detail, String isolation) {
        update("writing the audit trail", c -> {
            try (var ps = c.prepareStatement("INSERT INTO audit_events (occurred_at, group_id, kind, detail, isolation) "
                    + "VALUES (?, ?, ?, ?, ?)")) {
                ps.setTimestamp(1, now());
                ps.setString(2, groupId);
                ps.setString(3, kind);
                ps.setString(4, detail == null || detail.length() <= 4000 ? detail : detail.substring(0, 4000));
                ps.setString(5, isolation);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Audit events of one kind across all groups (and the host's own, with no group), oldest first. */
    public List<AuditEvent> auditByKind(String kind) {
        return readAudit("kind", kind);
    }

    /** A group's audit trail, oldest first. */
    public List<AuditEvent> auditTrail(String groupId) {
        return readAudit("group_id", groupId);
    }

    private List<AuditEvent> readAudit(String column, String value) {
        return query("reading the audit trail", c -> {
            try (var ps = c.prepareStatement("SELECT id, occurred_at, group_id, kind, detail, isolation FROM audit_events "
                    + "WHERE " + column + " = ? ORDER BY id")) {
                ps.setString(1, value);
                try (ResultSet rs = ps.executeQuery()) {
                    List<AuditEvent> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6)));
                    }
                    return out;
                }
            }
        });
    }

    public void recordUsage(String groupId, String model, Usage usage, long latencyMs, String outcome) {
        recordUsage(groupId, model, usage, latencyMs, outcome, null, Instant.now());
    }

    /** With what the call cost at the prices of its time (null: priced when read) and when it was made. */
    public void recordUsage(String groupId, String model, Usage usage, long latencyMs, String outcome,
                            java.math.BigDecimal cost, Instant at) {
        update("recording usage", c -> {
            try (var ps = c.prepareStatement("INSERT INTO model_usage (occurred_at, group_id, model, input_tokens, "
                    + "output_tokens, latency_ms, outcome, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                ps.setTimestamp(1, Timestamp.from(at));
                ps.setString(2, groupId);
                ps.setString(3, model == null ? "unknown" : model);
                ps.setLong(4, usage == null ? 0 : usage.inputTokens());
                ps.setLong(5, usage == null ? 0 : usage.outputTokens());
                ps.setLong(6, latencyMs);
                ps.setString(7, outcome);
                ps.setBigDecimal(8, cost);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /** Tokens (in and out) a group's model calls used since {@code since}. */
    public long tokensSince(String groupId, Instant since) {
        return query("reading usage", c -> {
            try (var ps = c.prepareStatement("SELECT COALESCE(SUM(input_tokens + output_tokens), 0) FROM model_usage "
                    + "WHERE group_id = ? AND occurred_at >= ?")) {
                ps.setString(1, groupId);
                ps.setTimestamp(2, Timestamp.from(since));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    public Usage totalUsage(String groupId) {
        return query("reading usage", c -> {
            try (var ps = c.prepareStatement("SELECT COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0) "
                    + "FROM model_usage WHERE group_id = ?")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Usage(rs.getLong(1), rs.getLong(2));
                }
            }
        });
    }

    // ---------------------------------------------------------------- pausing a group (the console)

    /** Pauses a group; false when it was paused already. */
    public boolean pause(String groupId, String by) {
        return update("pausing " + groupId, c -> {
            try (var ps = c.prepareStatement("INSERT INTO group_pauses (group_id, paused_at, paused_by) VALUES (?, ?, ?)")) {
                ps.setString(1, groupId);
                ps.setTimestamp(2, now());
                ps.setString(3, by);
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        });
    }

    /**
     * Resumes a group: in one transaction the pause and its notices go, and the messages it held become PENDING.
     * Returns how many messages it held, or -1 when the group was not paused.
     */
    public int resume(String groupId) {
        return inTransaction("resuming " + groupId, c -> {
            try (var ps = c.prepareStatement("DELETE FROM group_pauses WHERE group_id = ?")) {
                ps.setString(1, groupId);
                if (ps.executeUpdate() == 0) {
                    return -1;
                }
            }
            try (var ps = c.prepareStatement("DELETE FROM pause_notices WHERE group_id = ?")) {
                ps.setString(1, groupId);
                ps.executeUpdate();
            }
            try (var ps = c.prepareStatement("UPDATE messages SET status = 'PENDING', updated_at = ? "
                    + "WHERE group_id = ? AND direction = 'in' AND status = 'PAUSED'")) {
                ps.setTimestamp(1, now());
                ps.setString(2, groupId);
                return ps.executeUpdate();
            }
        });
    }

    public List<String> pausedGroups() {
        return query("listing paused groups", c -> {
            try (var ps = c.prepareStatement("SELECT group_id FROM group_pauses ORDER BY group_id");
                 ResultSet rs = ps.executeQuery()) {
                List<String> ids = new ArrayList<>();
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
                return ids;
            }
        });
    }

    /** True the first time a chat is to be told, during this pause of its group, that the agent is paused. */
    public boolean pauseNoticeOnce(String groupId, String platform, String chatId) {
        return update("noting a pause notice", c -> {
            try (var ps = c.prepareStatement("INSERT INTO pause_notices (group_id, platform, chat_id) VALUES (?, ?, ?)")) {
                ps.setString(1, groupId);
                ps.setString(2, platform);
                ps.setString(3, chatId);
                ps.executeUpdate();
                return true;
            } catch (SQLException e) {
                if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                    return false;
                }
                throw e;
            }
        });
    }

    // ---------------------------------------------------------------- read models for the console

    /** Inbound and outbound messages stored since a moment. */
    public record Traffic(long inbound, long outbound) {}

    /** Messages routed to a group and waiting for a turn: how many, and since when the oldest waits. */
    public record Backlog(long messages, Instant oldest) {}

    public Traffic trafficSince(Instant since) {
        return query("counting messages", c -> {
            try (var ps = c.prepareStatement("SELECT COALESCE(SUM(CASE WHEN direction = 'in' THEN 1 ELSE 0 END), 0), "
                    + "COALESCE(SUM(CASE WHEN direction = 'out' THEN 1 ELSE 0 END), 0) FROM messages WHERE created_at >= ?")) {
                ps.setTimestamp(1, Timestamp.from(since));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return new Traffic(rs.getLong(1), rs.getLong(2));
                }
            }
        });
    }

    /** Tokens (in and out) of every group's model calls since {@code since}. */
    public long tokensSince(Instant since) {
        return query("reading usage", c -> {
            try (var ps = c.prepareStatement("SELECT COALESCE(SUM(input_tokens + output_tokens), 0) FROM model_usage "
                    + "WHERE occurred_at >= ?")) {
                ps.setTimestamp(1, Timestamp.from(since));
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    public Backlog backlog() {
        return query("reading the backlog", c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*), MIN(created_at) FROM messages WHERE direction = 'in' "
                    + "AND status = 'PENDING' AND group_id IS NOT NULL");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp oldest = rs.getTimestamp(2);
                return new Backlog(rs.getLong(1), oldest == null ? null : oldest.toInstant());
            }
        });
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
        return query(what, c -> {
            try (var ps = c.prepareStatement(sql)) {
                ps.setString(1, param);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Timestamp t = rs.getTimestamp(1);
                    return Optional.ofNullable(t == null ? null : t.toInstant());
                }
            }
        });
    }

    /** The binding keys that lead to a group ({@code web:chat:team}, {@code slack:user:T1:U2}, ...). */
    public List<String> bindingsOf(String groupId) {
        return query("reading the bindings of " + groupId, c -> {
            try (var ps = c.prepareStatement("SELECT binding_key FROM bindings WHERE group_id = ? ORDER BY binding_key")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> keys = new ArrayList<>();
                    while (rs.next()) {
                        keys.add(rs.getString(1));
                    }
                    return keys;
                }
            }
        });
    }

    /** The chats ({@code platform:chat id}) a group's messages came from or went to. */
    public List<String> chatsOf(String groupId) {
        return query("reading the chats of " + groupId, c -> {
            try (var ps = c.prepareStatement("SELECT DISTINCT platform, chat_id FROM messages WHERE group_id = ? "
                    + "ORDER BY platform, chat_id")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> chats = new ArrayList<>();
                    while (rs.next()) {
                        chats.add(rs.getString(1) + ":" + rs.getString(2));
                    }
                    return chats;
                }
            }
        });
    }

    /** A group's last {@code limit} messages, in and out, oldest first. */
    public List<ChatLine> groupMessages(String groupId, int limit) {
        return query("reading the messages of " + groupId, c -> {
            try (var ps = c.prepareStatement("SELECT id, direction, sender_name, text, status, created_at FROM messages "
                    + "WHERE group_id = ? ORDER BY id DESC LIMIT ?")) {
                ps.setString(1, groupId);
                ps.setInt(2, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<ChatLine> out = new ArrayList<>();
                    while (rs.next()) {
                        out.addFirst(new ChatLine(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getTimestamp(6).toInstant()));
                    }
                    return out;
                }
            }
        });
    }

    /**
     * A group's audit events, newest first, at most {@code limit}: of one kind when {@code kind} is set, and whose
     * kind or detail contains {@code text} (any case) when it is set.
     */
    public List<AuditEvent> groupAudit(String groupId, String kind, String text, int limit) {
        return query("reading the audit trail of " + groupId, c -> {
            StringBuilder sql = new StringBuilder("SELECT id, occurred_at, group_id, kind, detail, isolation "
                    + "FROM audit_events WHERE group_id = ?");
            List<String> args = new ArrayList<>(List.of(groupId));
            if (kind != null && !kind.isBlank()) {
                sql.append(" AND kind = ?");
                args.add(kind);
            }
            if (text != null && !text.isBlank()) {
                String like = "%" + text.strip().toLowerCase(java.util.Locale.ROOT).replace("\\", "\\\\")
                        .replace("%", "\\%").replace("_", "\\_") + "%";
                sql.append(" AND (LOWER(kind) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(detail, '')) LIKE ? ESCAPE '\\')");
                args.add(like);
                args.add(like);
            }
            sql.append(" ORDER BY id DESC LIMIT ?");
            try (var ps = c.prepareStatement(sql.toString())) {
                for (int i = 0; i < args.size(); i++) {
                    ps.setString(i + 1, args.get(i));
                }
                ps.setInt(args.size() + 1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<AuditEvent> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6)));
                    }
                    return out;
                }
            }
        });
    }

    /** The kinds of event in a group's audit trail, sorted, with how many of each. */
    public java.util.SortedMap<String, Long> auditKinds(String groupId) {
        return query("reading the audit kinds of " + groupId, c -> {
            try (var ps = c.prepareStatement("SELECT kind, COUNT(*) FROM audit_events WHERE group_id = ? GROUP BY kind")) {
                ps.setString(1, groupId);
                try (ResultSet rs = ps.executeQuery()) {
                    java.util.SortedMap<String, Long> out = new java.util.TreeMap<>();
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getLong(2));
                    }
                    return out;
                }
            }
        });
    }

    /** The newest {@code limit} audit events of these kinds, newest first. */
    public List<AuditEvent> recentAudit(List<String> kinds, int limit) {
        if (kinds.isEmpty()) {
            return List.of();
        }
        return query("reading the audit trail", c -> {
            try (var ps = c.prepareStatement("SELECT id, occurred_at, group_id, kind, detail, isolation FROM audit_events "
                    + "WHERE kind IN (" + String.join(", ", java.util.Collections.nCopies(kinds.size(), "?"))
                    + ") ORDER BY id DESC LIMIT ?")) {
                for (int i = 0; i < kinds.size(); i++) {
                    ps.setString(i + 1, kinds.get(i));
                }
                ps.setInt(kinds.size() + 1, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    List<AuditEvent> out = new ArrayList<>();
                    while (rs.next()) {
                        out.add(new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                                rs.getString(4), rs.getString(5), rs.getString(6)));
                    }
                    return out;
                }
            }
        });
    }

    @Override
    public void close() {
        pool.dispose();
    }

    // ---------------------------------------------------------------- plumbing

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T query(String what, Work<T> work) {
        return update(what, work);
    }

    private <T> T update(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException(what, e);
        }
    }

    private <T> T inTransaction(String what, Work<T> work) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException(what, e);
        }
    }

    private static StoredInbound storedInbound(ResultSet rs) throws SQLException {
        return new StoredInbound(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9), rs.getTimestamp(10).toInstant());
    }

    private static OutboundMessage outbound(ResultSet rs) throws SQLException {
        String file = rs.getString(7);
        return new OutboundMessage(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), file == null ? null : Path.of(file));
    }

    private static long generatedId(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            keys.next();
            return keys.getLong(1);
        }
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }
}
