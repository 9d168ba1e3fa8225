package dev.claw4j.core.cluster;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The SQL of one lease table ({@code group_leases} or {@code leader_leases}). Every time is the database's
 * ({@code CURRENT_TIMESTAMP}), so hosts with skewed clocks agree on expiry. The token goes up by one whenever the
 * holder changes. Plain SQL that H2 and PostgreSQL both run.
 */
final class LeaseTable {
    /** The two tables; their names come only from here, never from input. */
    enum Kind {
        GROUP("group_leases", "group_id"), LEADER("leader_leases", "name");

        final String table;
        final String key;

        Kind(String table, String key) {
            this.table = table;
            this.key = key;
        }
    }

    /** Who holds a lease now, and whether it has expired (by the database's clock). */
    record Holder(String hostId, long token, boolean expired, Instant expiresAt) {}

    private static final String UNIQUE_VIOLATION = "23505";
    private final DataSource db;
    private final Kind kind;

    LeaseTable(DataSource db, Kind kind) {
        this.db = db;
        this.kind = kind;
    }

    /** {@code CURRENT_TIMESTAMP} plus a duration given as the next parameter (milliseconds). */
    static final String NOW_PLUS = "CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '0.001' SECOND";

    /**
     * Takes the lease when it is free, released, expired or held under this host's id (the token goes up by one
     * every time). Empty when another host holds it.
     */
    Optional<Lease> acquire(String name, String hostId, Duration ttl) {
        return inTransaction("taking the lease " + name, c -> {
            Holder h = holder(c, name, true);
            if (h == null) {
                try (var ps = c.prepareStatement("INSERT INTO " + kind.table + " (" + kind.key + ", host_id, token, "
                        + "expires_at) VALUES (?, ?, 1, " + NOW_PLUS + ")")) {
                    ps.setString(1, name);
                    ps.setString(2, hostId);
                    ps.setLong(3, ttl.toMillis());
                    ps.executeUpdate();
                } catch (SQLException e) {
                    if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                        return Optional.empty(); // another host made the row first: it holds the lease
                    }
                    throw e;
                }
                return Optional.of(new Lease(name, hostId, 1, null, null));
            }
            if (h.hostId() != null && !h.expired() && !h.hostId().equals(hostId)) {
                return Optional.empty();
            }
            // a new token even when the row names this host: it may be an earlier run of this host (same data
            // directory) whose writes must not pass any more
            try (var ps = c.prepareStatement("UPDATE " + kind.table + " SET host_id = ?, token = token + 1, "
                    + "expires_at = " + NOW_PLUS + " WHERE " + kind.key + " = ?")) {
                ps.setString(1, hostId);
                ps.setLong(2, ttl.toMillis());
                ps.setString(3, name);
                ps.executeUpdate();
            }
            return Optional.of(new Lease(name, hostId, h.token() + 1, h.hostId(),
                    h.hostId() == null ? null : h.expiresAt()));
        });
    }

    /** Extends a lease this host holds under this token; false when it no longer does (a stale holder). */
    boolean renew(Lease lease, Duration ttl) {
        return inTransaction("renewing the lease " + lease.name(), c -> {
            try (var ps = c.prepareStatement("UPDATE " + kind.table + " SET expires_at = " + NOW_PLUS
                    + " WHERE " + kind.key + " = ? AND host_id = ? AND token = ?")) {
                ps.setLong(1, ttl.toMillis());
                ps.setString(2, lease.name());
                ps.setString(3, lease.hostId());
                ps.setLong(4, lease.token());
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Renews many leases in one transaction and one batch (a host holding hundreds of groups pays one round trip per
     * renewal, not hundreds). Returns the names of those still held; the others went to another host.
     */
    java.util.Set<String> renewAll(java.util.Collection<Lease> leases, Duration ttl) {
        if (leases.isEmpty()) {
            return java.util.Set.of();
        }
        return inTransaction("renewing " + leases.size() + " lease(s)", c -> {
            List<Lease> order = List.copyOf(leases);
            try (var ps = c.prepareStatement("UPDATE " + kind.table + " SET expires_at = " + NOW_PLUS
                    + " WHERE " + kind.key + " = ? AND host_id = ? AND token = ?")) {
                for (Lease lease : order) {
                    ps.setLong(1, ttl.toMillis());
                    ps.setString(2, lease.name());
                    ps.setString(3, lease.hostId());
                    ps.setLong(4, lease.token());
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                java.util.Set<String> kept = new java.util.HashSet<>();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 1) {
                        kept.add(order.get(i).name());
                    }
                }
                return kept;
            }
        });
    }

    /** Gives a lease up at once (a graceful stop), so another host need not wait for it to expire. */
    boolean release(Lease lease) {
        return inTransaction("releasing the lease " + lease.name(), c -> {
            try (var ps = c.prepareStatement("UPDATE " + kind.table + " SET host_id = NULL, expires_at = "
                    + "CURRENT_TIMESTAMP WHERE " + kind.key + " = ? AND host_id = ? AND token = ?")) {
                ps.setString(1, lease.name());
                ps.setString(2, lease.hostId());
                ps.setLong(3, lease.token());
                return ps.executeUpdate() == 1;
            }
        });
    }

    Optional<Holder> holder(String name) {
        return inTransaction("reading the lease " + name, c -> Optional.ofNullable(holder(c, name, false)));
    }

    private Holder holder(Connection c, String name, boolean lock) throws SQLException {
        try (var ps = c.prepareStatement("SELECT host_id, token, CASE WHEN expires_at <= CURRENT_TIMESTAMP THEN 1 "
                + "ELSE 0 END, expires_at FROM " + kind.table + " WHERE " + kind.key + " = ?"
                + (lock ? " FOR UPDATE" : ""))) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                return new Holder(rs.getString(1), rs.getLong(2), rs.getInt(3) == 1,
                        rs.getObject(4, java.time.OffsetDateTime.class).toInstant());
            }
        }
    }

    /**
     * Inside the caller's transaction: true when the group's lease still has this host and token, and from then on
     * until the transaction ends no other host can take it (the row is locked), so a takeover cannot slip between
     * this check and the write it guards.
     */
    static boolean holds(Connection c, Fence fence) throws SQLException {
        try (var ps = c.prepareStatement("SELECT 1 FROM group_leases WHERE group_id = ? AND host_id = ? AND token = ? "
                + "FOR UPDATE")) {
            ps.setString(1, fence.groupId());
            ps.setString(2, fence.hostId());
            ps.setLong(3, fence.token());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T inTransaction(String what, Work<T> work) {
        return inTransaction(db, what, work);
    }

    static <T> T inTransaction(DataSource db, String what, Work<T> work) {
        try (Connection c = db.getConnection()) {
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
            throw new ClusterException(what + " failed: " + e.getMessage() + "; check that the database is reachable",
                    e);
        }
    }
}
