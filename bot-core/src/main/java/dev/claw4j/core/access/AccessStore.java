package dev.claw4j.core.access;

import dev.claw4j.core.store.Jdbc;
import dev.claw4j.core.store.StoreException;
import dev.claw4j.core.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
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

    private final Jdbc jdbc;

    public AccessStore(DataSource db) {
        this.jdbc = new Jdbc(db);
    }

    public boolean isGranted(String platform, String userId) {
        return jdbc.run("reading the grant of " + platform + ":" + userId, tx -> tx.optional(
                "SELECT 1 FROM access_grants WHERE platform = ? AND user_id = ?", rs -> true, platform, userId))
                .isPresent();
    }

    public void grant(String platform, String userId, String by) {
        jdbc.run("granting " + platform + ":" + userId, tx -> grant(tx, platform, userId, by));
    }

    private static int grant(Tx tx, String platform, String userId, String by) throws SQLException {
        return tx.update("INSERT INTO access_grants (platform, user_id, granted_at, granted_by) SELECT ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM access_grants WHERE platform = ? AND user_id = ?)",
                platform, userId, Instant.now(), by, platform, userId);
    }

    public boolean revoke(String platform, String userId) {
        return jdbc.run("revoking " + platform + ":" + userId, tx -> tx.update(
                "DELETE FROM access_grants WHERE platform = ? AND user_id = ?", platform, userId)) > 0;
    }

    public List<Grant> grants() {
        return jdbc.run("reading the grants", tx -> tx.list(
                "SELECT platform, user_id, granted_at, granted_by FROM access_grants ORDER BY granted_at",
                rs -> new Grant(rs.getString(1), rs.getString(2), Tx.instant(rs, 3), rs.getString(4))));
    }

    public boolean isChatGranted(String platform, String chatId) {
        return jdbc.run("reading the grant of chat " + platform + ":" + chatId, tx -> tx.optional(
                "SELECT 1 FROM access_chat_grants WHERE platform = ? AND chat_id = ?", rs -> true, platform, chatId))
                .isPresent();
    }

    public void grantChat(String platform, String chatId, String by) {
        jdbc.run("granting chat " + platform + ":" + chatId, tx -> grantChat(tx, platform, chatId, by));
    }

    private static int grantChat(Tx tx, String platform, String chatId, String by) throws SQLException {
        return tx.update("INSERT INTO access_chat_grants (platform, chat_id, granted_at, granted_by) SELECT ?, ?, ?, ? "
                + "WHERE NOT EXISTS (SELECT 1 FROM access_chat_grants WHERE platform = ? AND chat_id = ?)",
                platform, chatId, Instant.now(), by, platform, chatId);
    }

    public boolean revokeChat(String platform, String chatId) {
        return jdbc.run("revoking chat " + platform + ":" + chatId, tx -> tx.update(
                "DELETE FROM access_chat_grants WHERE platform = ? AND chat_id = ?", platform, chatId)) > 0;
    }

    public List<ChatGrant> chatGrants() {
        return jdbc.run("reading the chat grants", tx -> tx.list(
                "SELECT platform, chat_id, granted_at, granted_by FROM access_chat_grants ORDER BY granted_at",
                rs -> new ChatGrant(rs.getString(1), rs.getString(2), Tx.instant(rs, 3), rs.getString(4))));
    }

    /** The person's unexpired, unused code for a direct message, if any. */
    public Optional<PairingCode> pendingCode(String platform, String userId, Instant now) {
        return jdbc.run("reading the pending code of " + platform + ":" + userId, tx -> tx.optional(
                "SELECT " + CODE_COLUMNS + " FROM pairing_codes WHERE platform = ? AND user_id = ? "
                + "AND chat_id IS NULL AND used_at IS NULL AND expires_at > ?", AccessStore::code, platform, userId,
                now));
    }

    public List<PairingCode> pendingCodes(Instant now) {
        return jdbc.run("reading the pending codes", tx -> tx.list("SELECT " + CODE_COLUMNS + " FROM pairing_codes "
                + "WHERE used_at IS NULL AND expires_at > ? ORDER BY created_at", AccessStore::code, now));
    }

    /** Stores a code as it is, outside the caps (tests and tools); the Gatekeeper uses {@link #issue}. */
    public void addCode(PairingCode code, Instant now) {
        jdbc.run("storing a pairing code", tx -> tx.update("INSERT INTO pairing_codes (code, platform, user_id, "
                + "user_name, created_at, expires_at, chat_id) VALUES (?, ?, ?, ?, ?, ?, ?)", code.code(),
                code.platform(), code.userId(), code.userName(), now, code.expiresAt(), code.chatId()));
    }

    /**
     * Issues {@code wanted} unless its person or chat already has a pending code, its person already has
     * {@code perSender} pending codes (for themselves and for chats they asked about), or {@code total} codes are
     * pending in all. One transaction: the caps are counted under a lock every issuer takes, and the unique
     * {@code pending_for} column makes a second code for the same person or chat impossible even so.
     */
    public Issue issue(PairingCode wanted, Instant now, int perSender, int total) {
        try {
            return jdbc.inTransaction("issuing a pairing code for " + wanted.pendingFor(),
                    tx -> issue(tx, wanted, now, perSender, total));
        } catch (StoreException raced) {
            if (!Jdbc.isUniqueViolation(raced)) {
                throw raced;
            }
            // only reachable if something wrote pending_for without the lock: the code already there wins
            return jdbc.run("reading the pending code for " + wanted.pendingFor(),
                    tx -> pendingFor(tx, wanted.pendingFor())).<Issue>map(Issue.AlreadyPending::new)
                    .orElseThrow(() -> new IllegalStateException("issuing a code for " + wanted.pendingFor()
                            + " collided with another code: " + raced.getMessage(), raced));
        }
    }

    private static Issue issue(Tx tx, PairingCode wanted, Instant at, int perSender, int total) throws SQLException {
        tx.list("SELECT id FROM pairing_issue_lock WHERE id = 1 FOR UPDATE", rs -> 1);
        // expired codes give their place back
        tx.update("UPDATE pairing_codes SET pending_for = NULL WHERE pending_for IS NOT NULL AND expires_at <= ?", at);
        Optional<PairingCode> pending = pendingFor(tx, wanted.pendingFor());
        if (pending.isPresent()) {
            return new Issue.AlreadyPending(pending.get());
        }
        long mine = tx.one("SELECT COUNT(*) FROM pairing_codes WHERE pending_for IS NOT NULL AND platform = ? "
                + "AND user_id = ?", rs -> rs.getLong(1), wanted.platform(), wanted.userId());
        if (mine >= perSender) {
            return new Issue.Capped(wanted.platform() + ":" + wanted.userId() + " already has " + mine
                    + " pending codes (at most " + perSender + " per person)");
        }
        long all = tx.one("SELECT COUNT(*) FROM pairing_codes WHERE pending_for IS NOT NULL", rs -> rs.getLong(1));
        if (all >= total) {
            return new Issue.Capped(all + " codes already pending (at most " + total + " in all)");
        }
        tx.update("INSERT INTO pairing_codes (code, platform, user_id, user_name, created_at, expires_at, chat_id, "
                + "pending_for) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", wanted.code(), wanted.platform(), wanted.userId(),
                wanted.userName(), at, wanted.expiresAt(), wanted.chatId(), wanted.pendingFor());
        return new Issue.Issued(wanted);
    }

    private static Optional<PairingCode> pendingFor(Tx tx, String key) throws SQLException {
        return tx.optional("SELECT " + CODE_COLUMNS + " FROM pairing_codes WHERE pending_for = ?", AccessStore::code,
                key);
    }

    /**
     * Uses the code if it is pending; the person it names, or for a group code the chat, is granted access. The
     * code is marked used by one conditional update, so two admins approving at once grant once.
     */
    public Optional<PairingCode> approve(String code, String by, Instant now) {
        Optional<PairingCode> used = use(code, now);
        used.ifPresent(c -> {
            if (c.forChat()) {
                grantChat(c.platform(), c.chatId(), by);
            } else {
                grant(c.platform(), c.userId(), by);
            }
        });
        return used;
    }

    /**
     * Dismisses a pending code without letting anyone in (the console's "deny"): it is used up, so it can never be
     * approved; the person or chat gets a new code only by writing again.
     */
    public Optional<PairingCode> deny(String code, Instant now) {
        return use(code, now);
    }

    /** Marks a pending code used, by one conditional update; the code, or empty when it was not pending. */
    private Optional<PairingCode> use(String code, Instant now) {
        return jdbc.run("using pairing code " + code, tx -> {
            Optional<PairingCode> found = tx.optional("SELECT " + CODE_COLUMNS + " FROM pairing_codes WHERE code = ? "
                    + "AND used_at IS NULL AND expires_at > ?", AccessStore::code, code, now);
            if (found.isEmpty() || tx.update("UPDATE pairing_codes SET used_at = ?, pending_for = NULL WHERE code = ? "
                    + "AND used_at IS NULL", now, code) == 0) {
                return Optional.<PairingCode>empty();
            }
            return found;
        });
    }

    /** True the first time only: a refused stranger is told once. */
    public boolean noticeOnce(String platform, String userId) {
        try {
            return jdbc.run("recording a notice to " + platform + ":" + userId, tx -> tx.update(
                    "INSERT INTO access_notices (platform, user_id, noticed_at) VALUES (?, ?, ?)", platform, userId,
                    Instant.now())) > 0;
        } catch (StoreException e) {
            if (Jdbc.isUniqueViolation(e)) {
                return false; // already told
            }
            throw e;
        }
    }

    private static PairingCode code(ResultSet rs) throws SQLException {
        return new PairingCode(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Tx.instant(rs, 5), rs.getString(6));
    }
}
