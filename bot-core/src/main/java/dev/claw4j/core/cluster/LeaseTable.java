package dev.claw4j.core.cluster;

import dev.claw4j.core.store.Jdbc;
import dev.claw4j.core.store.StoreException;
import dev.claw4j.core.store.Tx;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

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

    private final Jdbc jdbc;
    private final Kind kind;

    LeaseTable(Jdbc jdbc, Kind kind) {
        this.jdbc = jdbc;
        this.kind = kind;
    }

    /** {@code CURRENT_TIMESTAMP} plus a duration given as the next parameter (milliseconds). */
    static final String NOW_PLUS = "CURRENT_TIMESTAMP + CAST(? AS BIGINT) * INTERVAL '0.001' SECOND";

    /**
     * Takes the lease when it is free, released, expired or held under this host's id (the token goes up by one
     * every time). Empty when another host holds it.
     */
    Optional<Lease> acquire(String name, String hostId, Duration ttl) {
        return inTransaction("taking the lease " + name, tx -> {
            Holder h = holder(tx, name, true);
            if (h == null) {
                try {
                    tx.update("INSERT INTO " + kind.table + " (" + kind.key + ", host_id, token, expires_at) "
                            + "VALUES (?, ?, 1, " + NOW_PLUS + ")", name, hostId, ttl.toMillis());
                } catch (SQLException e) {
                    if (Jdbc.isUniqueViolation(e)) {
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
            tx.update("UPDATE " + kind.table + " SET host_id = ?, token = token + 1, expires_at = " + NOW_PLUS
                    + " WHERE " + kind.key + " = ?", hostId, ttl.toMillis(), name);
            return Optional.of(new Lease(name, hostId, h.token() + 1, h.hostId(),
                    h.hostId() == null ? null : h.expiresAt()));
        });
    }

    /** Extends a lease this host holds under this token; false when it no longer does (a stale holder). */
    boolean renew(Lease lease, Duration ttl) {
        return inTransaction("renewing the lease " + lease.name(), tx -> tx.update("UPDATE " + kind.table
                + " SET expires_at = " + NOW_PLUS + " WHERE " + kind.key + " = ? AND host_id = ? AND token = ?",
                ttl.toMillis(), lease.name(), lease.hostId(), lease.token()) == 1);
    }

    /**
     * Renews many leases in one transaction and one batch (a host holding hundreds of groups pays one round trip per
     * renewal, not hundreds). Returns the names of those still held; the others went to another host.
     */
    Set<String> renewAll(Collection<Lease> leases, Duration ttl) {
        if (leases.isEmpty()) {
            return Set.of();
        }
        List<Lease> order = List.copyOf(leases);
        int[] counts = inTransaction("renewing " + leases.size() + " lease(s)", tx -> tx.batch("UPDATE " + kind.table
                + " SET expires_at = " + NOW_PLUS + " WHERE " + kind.key + " = ? AND host_id = ? AND token = ?",
                order.stream().map(l -> new Object[] {ttl.toMillis(), l.name(), l.hostId(), l.token()}).toList()));
        Set<String> kept = new HashSet<>();
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] == 1) {
                kept.add(order.get(i).name());
            }
        }
        return kept;
    }

    /** Gives a lease up at once (a graceful stop), so another host need not wait for it to expire. */
    boolean release(Lease lease) {
        return inTransaction("releasing the lease " + lease.name(), tx -> tx.update("UPDATE " + kind.table
                + " SET host_id = NULL, expires_at = CURRENT_TIMESTAMP WHERE " + kind.key + " = ? AND host_id = ? "
                + "AND token = ?", lease.name(), lease.hostId(), lease.token()) == 1);
    }

    Optional<Holder> holder(String name) {
        return inTransaction("reading the lease " + name, tx -> Optional.ofNullable(holder(tx, name, false)));
    }

    private Holder holder(Tx tx, String name, boolean lock) throws SQLException {
        return tx.optional("SELECT host_id, token, CASE WHEN expires_at <= CURRENT_TIMESTAMP THEN 1 ELSE 0 END, "
                + "expires_at FROM " + kind.table + " WHERE " + kind.key + " = ?" + (lock ? " FOR UPDATE" : ""),
                rs -> new Holder(rs.getString(1), rs.getLong(2), rs.getInt(3) == 1,
                        rs.getObject(4, OffsetDateTime.class).toInstant()), name).orElse(null);
    }

    /**
     * Inside the caller's transaction: true when the group's lease still has this host and token, and from then on
     * until the transaction ends no other host can take it (the row is locked), so a takeover cannot slip between
     * this check and the write it guards.
     */
    static boolean holds(Tx tx, Fence fence) throws SQLException {
        return tx.optional("SELECT 1 FROM group_leases WHERE group_id = ? AND host_id = ? AND token = ? FOR UPDATE",
                rs -> true, fence.groupId(), fence.hostId(), fence.token()).isPresent();
    }

    private <T> T inTransaction(String what, Jdbc.Work<T> work) {
        return inTransaction(jdbc, what, work);
    }

    /** A transaction of the cluster's bookkeeping; a database failure is a {@link ClusterException} saying what. */
    static <T> T inTransaction(Jdbc jdbc, String what, Jdbc.Work<T> work) {
        try {
            return jdbc.inTransaction(what, work);
        } catch (StoreException e) {
            throw new ClusterException(what + " failed: " + e.getCause().getMessage()
                    + "; check that the database is reachable", e.getCause());
        }
    }
}
