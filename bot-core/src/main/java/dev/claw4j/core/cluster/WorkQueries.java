package dev.claw4j.core.cluster;

import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** What the hosts look at to share the work: groups with waiting work and who holds them. */
final class WorkQueries {
    /** Work a host must pick up: messages waiting for or cut off in a turn, replies waiting for delivery. */
    private static final String WAITING = "m.group_id IS NOT NULL AND m.status IN ('PENDING', 'RUNNING', 'SENDING')";
    private final DataSource db;

    WorkQueries(DataSource db) {
        this.db = db;
    }

    List<String> unheldGroupsWithWork() {
        return groups("finding groups no host holds", "SELECT m.group_id FROM messages m LEFT JOIN group_leases l "
                + "ON l.group_id = m.group_id WHERE " + WAITING + " AND (l.group_id IS NULL OR l.host_id IS NULL "
                + "OR l.expires_at <= CURRENT_TIMESTAMP) GROUP BY m.group_id ORDER BY MIN(m.id)", null);
    }

    List<String> groupsWithWaitingMessages(String hostId) {
        return groups("finding waiting messages of the groups this host holds", "SELECT DISTINCT m.group_id FROM "
                + "messages m JOIN group_leases l ON l.group_id = m.group_id WHERE m.direction = 'in' "
                + "AND m.status = 'PENDING' AND l.host_id = ?", hostId);
    }

    int leasesHeld() {
        return LeaseTable.inTransaction(db, "counting held leases", c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM group_leases WHERE host_id IS NOT NULL "
                    + "AND expires_at > CURRENT_TIMESTAMP"); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    private List<String> groups(String what, String sql, String param) {
        return LeaseTable.inTransaction(db, what, c -> {
            try (var ps = c.prepareStatement(sql)) {
                if (param != null) {
                    ps.setString(1, param);
                }
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
