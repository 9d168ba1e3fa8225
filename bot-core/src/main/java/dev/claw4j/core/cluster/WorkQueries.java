package dev.claw4j.core.cluster;

import dev.claw4j.core.store.Jdbc;
import java.util.List;

/** What the hosts look at to share the work: groups with waiting work and who holds them. */
final class WorkQueries {
    /** Work a host must pick up: messages waiting for or cut off in a turn, replies waiting for delivery. */
    private static final String WAITING = "m.group_id IS NOT NULL AND m.status IN ('PENDING', 'RUNNING', 'SENDING')";
    private final Jdbc jdbc;

    WorkQueries(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    List<String> unheldGroupsWithWork() {
        return LeaseTable.inTransaction(jdbc, "finding groups no host holds", tx -> tx.list("SELECT m.group_id "
                + "FROM messages m LEFT JOIN group_leases l ON l.group_id = m.group_id WHERE " + WAITING
                + " AND (l.group_id IS NULL OR l.host_id IS NULL OR l.expires_at <= CURRENT_TIMESTAMP) "
                + "GROUP BY m.group_id ORDER BY MIN(m.id)", rs -> rs.getString(1)));
    }

    List<String> groupsWithWaitingMessages(String hostId) {
        return LeaseTable.inTransaction(jdbc, "finding waiting messages of the groups this host holds", tx -> tx.list(
                "SELECT DISTINCT m.group_id FROM messages m JOIN group_leases l ON l.group_id = m.group_id "
                + "WHERE m.direction = 'in' AND m.status = 'PENDING' AND l.host_id = ?", rs -> rs.getString(1),
                hostId));
    }

    int leasesHeld() {
        return LeaseTable.inTransaction(jdbc, "counting held leases", tx -> tx.one("SELECT COUNT(*) FROM group_leases "
                + "WHERE host_id IS NOT NULL AND expires_at > CURRENT_TIMESTAMP", rs -> rs.getInt(1)));
    }
}
