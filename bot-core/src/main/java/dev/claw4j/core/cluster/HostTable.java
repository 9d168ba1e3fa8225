package dev.claw4j.core.cluster;

import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The {@code hosts} heartbeat rows, by the database's clock. */
final class HostTable {
    private final DataSource db;

    HostTable(DataSource db) {
        this.db = db;
    }

    /** This host starts (again): its row says so and is alive from now on. */
    void register(HostIdentity me) {
        LeaseTable.inTransaction(db, "registering host " + me.hostId(), c -> {
            try (var ps = c.prepareStatement("UPDATE hosts SET machine_id = ?, started_at = CURRENT_TIMESTAMP, "
                    + "last_seen = CURRENT_TIMESTAMP, stopped_at = NULL WHERE host_id = ?")) {
                ps.setString(1, me.machineId());
                ps.setString(2, me.hostId());
                if (ps.executeUpdate() == 1) {
                    return null;
                }
            }
            try (var ps = c.prepareStatement("INSERT INTO hosts (host_id, machine_id, started_at, last_seen) "
                    + "VALUES (?, ?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)")) {
                ps.setString(1, me.hostId());
                ps.setString(2, me.machineId());
                ps.executeUpdate();
            }
            return null;
        });
    }

    void beat(String hostId) {
        set("last_seen", hostId);
    }

    void stopped(String hostId) {
        set("stopped_at", hostId);
    }

    private void set(String column, String hostId) {
        LeaseTable.inTransaction(db, "writing the heartbeat of host " + hostId, c -> {
            try (var ps = c.prepareStatement("UPDATE hosts SET " + column + " = CURRENT_TIMESTAMP WHERE host_id = ?")) {
                ps.setString(1, hostId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Hosts other than {@code me} that ran on {@code machineId} and are gone: stopped, or not seen within
     * {@code within}. A host that never registered here (another install, another database) is not listed.
     */
    List<String> goneOn(String machineId, String me, Duration within) {
        return LeaseTable.inTransaction(db, "listing the gone hosts of machine " + machineId, c -> {
            try (var ps = c.prepareStatement("SELECT host_id FROM hosts WHERE machine_id = ? AND host_id <> ? AND "
                    + "(stopped_at IS NOT NULL OR last_seen <= CURRENT_TIMESTAMP - CAST(? AS BIGINT) * "
                    + "INTERVAL '0.001' SECOND) ORDER BY host_id")) {
                ps.setString(1, machineId);
                ps.setString(2, me);
                ps.setLong(3, within.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> ids = new ArrayList<>();
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                    return ids;
                }
            }
        });
    }

    /** Hosts seen within {@code within} and not stopped, by id. */
    List<String> live(Duration within) {
        return LeaseTable.inTransaction(db, "listing live hosts", c -> {
            try (var ps = c.prepareStatement("SELECT host_id FROM hosts WHERE stopped_at IS NULL AND last_seen > "
                    + "CURRENT_TIMESTAMP - CAST(? AS BIGINT) * INTERVAL '0.001' SECOND ORDER BY host_id")) {
                ps.setLong(1, within.toMillis());
                try (ResultSet rs = ps.executeQuery()) {
                    List<String> ids = new ArrayList<>();
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                    }
                    return ids;
                }
            }
        });
    }
}
