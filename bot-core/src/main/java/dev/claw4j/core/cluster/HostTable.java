package dev.claw4j.core.cluster;

import dev.claw4j.core.store.Jdbc;
import java.time.Duration;
import java.util.List;

/** The {@code hosts} heartbeat rows, by the database's clock. */
final class HostTable {
    private final Jdbc jdbc;

    HostTable(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** This host starts (again): its row says so and is alive from now on. */
    void register(HostIdentity me) {
        LeaseTable.inTransaction(jdbc, "registering host " + me.hostId(), tx -> {
            if (tx.update("UPDATE hosts SET machine_id = ?, started_at = CURRENT_TIMESTAMP, "
                    + "last_seen = CURRENT_TIMESTAMP, stopped_at = NULL WHERE host_id = ?", me.machineId(),
                    me.hostId()) == 1) {
                return null;
            }
            return tx.update("INSERT INTO hosts (host_id, machine_id, started_at, last_seen) "
                    + "VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)", me.hostId(), me.machineId());
        });
    }

    void beat(String hostId) {
        set("last_seen", hostId);
    }

    void stopped(String hostId) {
        set("stopped_at", hostId);
    }

    private void set(String column, String hostId) {
        LeaseTable.inTransaction(jdbc, "writing the heartbeat of host " + hostId, tx -> tx.update(
                "UPDATE hosts SET " + column + " = CURRENT_TIMESTAMP WHERE host_id = ?", hostId));
    }

    /**
     * Hosts other than {@code me} that ran on {@code machineId} and are gone: stopped, or not seen within
     * {@code within}. A host that never registered here (another install, another database) is not listed.
     */
    List<String> goneOn(String machineId, String me, Duration within) {
        return LeaseTable.inTransaction(jdbc, "listing the gone hosts of machine " + machineId, tx -> tx.list(
                "SELECT host_id FROM hosts WHERE machine_id = ? AND host_id <> ? AND (stopped_at IS NOT NULL "
                + "OR last_seen <= CURRENT_TIMESTAMP - CAST(? AS BIGINT) * INTERVAL '0.001' SECOND) ORDER BY host_id",
                rs -> rs.getString(1), machineId, me, within.toMillis()));
    }

    /** Hosts seen within {@code within} and not stopped, by id. */
    List<String> live(Duration within) {
        return LeaseTable.inTransaction(jdbc, "listing live hosts", tx -> tx.list("SELECT host_id FROM hosts "
                + "WHERE stopped_at IS NULL AND last_seen > CURRENT_TIMESTAMP - CAST(? AS BIGINT) * "
                + "INTERVAL '0.001' SECOND ORDER BY host_id", rs -> rs.getString(1), within.toMillis()));
    }
}
