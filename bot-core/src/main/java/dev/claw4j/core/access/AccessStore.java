package dev.claw4j.core.access;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The access tables: grants (people and group chats), pairing codes and one-time notices. */
public final class AccessStore {
    /**
     * A pending or used pairing code. For a person, {@code chatId} is null; for a group chat it names the chat, and
     * {@code userId}/{@code userName} are the person who asked.
     */
    public record PairingCode(String code, String platform, String userId, String userName, Instant expiresAt,
                              String chatId) {
        public PairingCode(String code, String platform, String userId, String userName, Instant expiresAt) {
            this(code, platform, userId, userName, expiresAt, null);
        }

        public boolean forChat() {
            return chatId != null;
        }

        /** What the code waits for; one pending code at most per value (a unique column). */
        String pendingFor() {
            return forChat() ? "chat:" + platform + ":" + chatId : "dm:" + platform + ":" + userId;
        }
    }

    /** Someone allowed to DM the bot. */
    public record Grant(String platform, String userId, Instant grantedAt, String grantedBy) {}

    /** A group chat approved by code. */
    public record ChatGrant(String platform, String chatId, Instant grantedAt, String grantedBy) {}

    /** What asking for a code gave. */
    public sealed interface Issue {
        /** A new code, now pending. */
        record Issued(PairingCode code) implements Issue {}

        /** The person or chat already has a pending code: no second one. */
        record AlreadyPending(PairingCode code) implements Issue {}

        /** No code: a cap is reached; {@code why} goes to the audit. */
        record Capped(String why) implements Issue {}
    }

    private static final String CODE_COLUMNS = "code, platform, user_id, user_name, expires_at, chat_id";

    private final DataSource db;

    public AccessStore(DataSource db) {
        this.db = db;
    }

    public boolean isGranted(String platform, String userId) {
        return exists("SELECT 1 FROM access_grants WHERE platform = ? AND user_id = ?", platform, userId);
    }

    public void grant(String platform, String userId, String by) {
        run("INSERT INTO access_grants (platform, user_id, granted_at, granted_by) SELECT ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM access_grants WHERE platform = ? AND user_id = ?)",
                platform, userId, Timestamp.from(Instant.now()), by, platform, userId);
    }

    public boolean revoke(String platform, String userId) {
        return run("DELETE FROM access_grants WHERE platform = ? AND user_id = ?", platform, userId) > 0;
    }

    public List<Grant> grants() {
        return query("SELECT platform, user_id, granted_at, granted_by FROM access_grants ORDER BY granted_at", rs ->
                new Grant(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getString(4)));
    }

    public boolean isChatGranted(String platform, String chatId) {
        return exists("SELECT 1 FROM access_chat_grants WHERE platform = ? AND chat_id = ?", platform, chatId);
    }

    public void grantChat(String platform, String chatId, String by) {
        run("INSERT INTO access_chat_grants (platform, chat_id, granted_at, granted_by) SELECT ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM access_chat_grants WHERE platform = ? AND chat_id = ?)",
                platform, chatId, Timestamp.from(Instant.now()), by, platform, chatId);
    }

    public boolean revokeChat(String platform, String chatId) {
        return run("DELETE FROM access_chat_grants WHERE platform = ? AND chat_id = ?", platform, chatId) > 0;
    }

    public List<ChatGrant> chatGrants() {
        return query("SELECT platform, chat_id, granted_at, granted_by FROM access_chat_grants ORDER BY granted_at",
                rs -> new ChatGrant(rs.getString(1), rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getString(4)));
    }

    /** The person's unexpired, unused code for a direct message, if any. */
    public Optional<PairingCode> pendingCode(String platform, String userId, Instant now) {
        return query("SELECT " + CODE_COLUMNS + " FROM pairing_codes WHERE platform = ? AND user_id = ? "
                + "AND chat_id IS NULL AND used_at IS NULL AND expires_at > ?", AccessStore::code, platform, userId,
                Timestamp.from(now)).stream().findFirst();
    }

    public List<PairingCode> pendingCodes(Instant now) {
        return query("SELECT " + CODE_COLUMNS + " FROM pairing_codes WHERE used_at IS NULL AND expires_at > ? "
                + "ORDER BY created_at", AccessStore::code, Timestamp.from(now));
    }

    /** Stores a code as it is, outside the caps (tests and tools); the Gatekeeper uses {@link #issue}. */
    public void addCode(PairingCode code, Instant now) {
        run("INSERT INTO pairing_codes (code, platform, user_id, user_name, created_at, expires_at, chat_id) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", code.code(), code.platform(), code.userId(), code.userName(),
                Timestamp.from(now), Timestamp.from(code.expiresAt()), code.chatId());
    }

    /**
     * Issues {@code wanted} unless its person or chat already has a pending code, its person already has
     * {@code perSender} pending codes (for themselves and for chats they asked about), or {@code total} codes are
     * pending in all. One transaction: the caps are counted under a lock every issuer takes, and the unique
     * {@code pending_for} column makes a second code for the same person or chat impossible even so.
     */
    public Issue issue(PairingCode wanted, Instant now, int perSender, int total) {
        Timestamp at = Timestamp.from(now);
        try (Connection c = db.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                Issue result = issue(c, wanted, at, perSender, total);
                c.commit();
                return result;
            } catch (SQLIntegrityConstraintViolationException raced) {
                // only reachable if something wrote pending_for without the lock: the code already there wins
                c.rollback();
                return pendingFor(c, wanted.pendingFor()).<Issue>map(Issue.AlreadyPending::new)
                        .orElseThrow(() -> new IllegalStateException("issuing a code for " + wanted.pendingFor()
                                + " collided with another code: " + raced.getMessage(), raced));
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("issuing a pairing code: " + e.getMessage(), e);
        }
    }

    private static Issue issue(Connection c, PairingCode wanted, Timestamp at, int perSender, int total)
            throws SQLException {
        update(c, "SELECT id FROM pairing_issue_lock WHERE id = 1 FOR UPDATE");
        // expired codes give their place back
        update(c, "UPDATE pairing_codes SET pending_for = NULL WHERE pending_for IS NOT NULL AND expires_at <= ?", at);
        Optional<PairingCode> pending = pendingFor(c, wanted.pendingFor());
        if (pending.isPresent()) {
            return new Issue.AlreadyPending(pending.get());
        }
        long mine = count(c, "SELECT COUNT(*) FROM pairing_codes WHERE pending_for IS NOT NULL AND platform = ? "
                + "AND user_id = ?", wanted.platform(), wanted.userId());
        if (mine >= perSender) {
            return new Issue.Capped(wanted.platform() + ":" + wanted.userId() + " already has " + mine
                    + " pending codes (at most " + perSender + " per person)");
        }
        long all = count(c, "SELECT COUNT(*) FROM pairing_codes WHERE pending_for IS NOT NULL");
        if (all >= total) {
            return new Issue.Capped(all + " codes already pending (at most " + total + " in all)");
        }
        update(c, "INSERT INTO pairing_codes (code, platform, user_id, user_name, created_at, expires_at, chat_id, "
                + "pending_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", wanted.code(), wanted.platform(), wanted.userId(),
                wanted.userName(), at, Timestamp.from(wanted.expiresAt()), wanted.chatId(), wanted.pendingFor());
        return new Issue.Issued(wanted);
    }

    private static Optional<PairingCode> pendingFor(Connection c, String key) throws SQLException {
        try (var ps = c.prepareStatement("SELECT " + CODE_COLUMNS + " FROM pairing_codes WHERE pending_for = ?")) {
            ps.setString(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(code(rs)) : Optional.empty();
            }
        }
    }

    private static long count(Connection c, String sql, Object... args) throws SQLException {
        try (var ps = c.prepareStatement(sql)) {
            bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private static void update(Connection c, String sql, Object... args) throws SQLException {
        try (var ps = c.prepareStatement(sql)) {
            bind(ps, args);
            ps.execute();
        }
    }

    private static void bind(java.sql.PreparedStatement ps, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    /**
     * Uses the code if it is pending; the person it names, or for a group code the chat, is granted access. The
     * code is marked used by one conditional update, so two admins approving at once grant once.
     */
    public Optional<PairingCode> approve(String code, String by, Instant now) {
        Optional<PairingCode> found = query("SELECT " + CODE_COLUMNS + " FROM pairing_codes WHERE code = ? "
                + "AND used_at IS NULL AND expires_at > ?", AccessStore::code, code, Timestamp.from(now))
                .stream().findFirst();
        if (found.isEmpty() || run("UPDATE pairing_codes SET used_at = ?, pending_for = NULL WHERE code = ? "
                + "AND used_at IS NULL", Timestamp.from(now), code) == 0) {
            return Optional.empty();
        }
        PairingCode c = found.get();
        if (c.forChat()) {
            grantChat(c.platform(), c.chatId(), by);
        } else {
            grant(c.platform(), c.userId(), by);
        }
        return found;
    }

    /**
     * Dismisses a pending code without letting anyone in (the console's "deny"): it is used up, so it can never be
     * approved; the person or chat gets a new code only by writing again.
     */
    public Optional<PairingCode> deny(String code, Instant now) {
        Optional<PairingCode> found = query("SELECT " + CODE_COLUMNS + " FROM pairing_codes WHERE code = ? "
                + "AND used_at IS NULL AND expires_at > ?", AccessStore::code, code, Timestamp.from(now))
                .stream().findFirst();
        if (found.isEmpty() || run("UPDATE pairing_codes SET used_at = ?, pending_for = NULL WHERE code = ? "
                + "AND used_at IS NULL", Timestamp.from(now), code) == 0) {
            return Optional.empty();
        }
        return found;
    }

    /** True the first time only: a refused stranger is told once. */
    public boolean noticeOnce(String platform, String userId) {
        try {
            return run("INSERT INTO access_notices (platform, user_id, noticed_at) VALUES (?, ?, ?)", platform, userId,
                    Timestamp.from(Instant.now())) > 0;
        } catch (IllegalStateException alreadyTold) {
            return false;
        }
    }

    private static PairingCode code(ResultSet rs) throws SQLException {
        return new PairingCode(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                rs.getTimestamp(5).toInstant(), rs.getString(6));
    }

    private interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    private boolean exists(String sql, Object... args) {
        return !query(sql, rs -> true, args).isEmpty();
    }

    private <T> List<T> query(String sql, Row<T> row, Object... args) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                List<T> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(row.read(rs));
                }
                return out;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("reading access data: " + e.getMessage(), e);
        }
    }

    private int run(String sql, Object... args) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("writing access data: " + e.getMessage(), e);
        }
    }
}
