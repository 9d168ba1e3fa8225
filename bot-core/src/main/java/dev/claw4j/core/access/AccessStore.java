package dev.claw4j.core.access;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** The access tables: grants, pairing codes and one-time notices. */
public final class AccessStore {
    /** A pending or used pairing code. */
    public record PairingCode(String code, String platform, String userId, String userName, Instant expiresAt) {}

    /** Someone allowed to DM the bot. */
    public record Grant(String platform, String userId, Instant grantedAt, String grantedBy) {}

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

    /** The person's unexpired, unused code, if any. */
    public Optional<PairingCode> pendingCode(String platform, String userId, Instant now) {
        return query("SELECT code, platform, user_id, user_name, expires_at FROM pairing_codes WHERE platform = ? "
                + "AND user_id = ? AND used_at IS NULL AND expires_at > ?", AccessStore::code, platform, userId,
                Timestamp.from(now)).stream().findFirst();
    }

    public List<PairingCode> pendingCodes(Instant now) {
        return query("SELECT code, platform, user_id, user_name, expires_at FROM pairing_codes WHERE used_at IS NULL "
                + "AND expires_at > ? ORDER BY created_at", AccessStore::code, Timestamp.from(now));
    }

    public int pendingCount(String platform, Instant now) {
        return (int) pendingCodes(now).stream().filter(c -> c.platform().equals(platform)).count();
    }

    public void addCode(PairingCode code, Instant now) {
        run("INSERT INTO pairing_codes (code, platform, user_id, user_name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                code.code(), code.platform(), code.userId(), code.userName(), Timestamp.from(now),
                Timestamp.from(code.expiresAt()));
    }

    /** Uses the code if it is pending; the person it names is granted access. */
    public Optional<PairingCode> approve(String code, String by, Instant now) {
        Optional<PairingCode> found = query("SELECT code, platform, user_id, user_name, expires_at FROM pairing_codes "
                + "WHERE code = ? AND used_at IS NULL AND expires_at > ?", AccessStore::code, code, Timestamp.from(now))
                .stream().findFirst();
        found.ifPresent(c -> {
            run("UPDATE pairing_codes SET used_at = ? WHERE code = ?", Timestamp.from(now), c.code());
            grant(c.platform(), c.userId(), by);
        });
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
                rs.getTimestamp(5).toInstant());
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
