package dev.claw4j.core.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;

/** The audit trail: what happened in each group (and to the host, with no group), in order. */
public final class AuditLog {
    private static final String COLUMNS = "SELECT id, occurred_at, group_id, kind, detail, isolation FROM audit_events ";

    private final Jdbc jdbc;

    AuditLog(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public void record(String groupId, String kind, String detail, String isolation) {
        jdbc.run("writing the audit trail", tx -> {
            record(tx, groupId, kind, detail, isolation);
            return null;
        });
    }

    /** Writes an event inside the caller's transaction. */
    void record(Tx tx, String groupId, String kind, String detail, String isolation) throws SQLException {
        tx.update("INSERT INTO audit_events (occurred_at, group_id, kind, detail, isolation) VALUES (?, ?, ?, ?, ?)",
                Instant.now(), groupId, kind,
                detail == null || detail.length() <= 4000 ? detail : detail.substring(0, 4000), isolation);
    }

    /** Audit events of one kind across all groups (and the host's own, with no group), oldest first. */
    public List<AuditEvent> auditByKind(String kind) {
        return jdbc.run("reading the audit trail", tx -> tx.list(COLUMNS + "WHERE kind = ? ORDER BY id",
                AuditLog::event, kind));
    }

    /** A group's audit trail, oldest first. */
    public List<AuditEvent> auditTrail(String groupId) {
        return jdbc.run("reading the audit trail", tx -> tx.list(COLUMNS + "WHERE group_id = ? ORDER BY id",
                AuditLog::event, groupId));
    }

    /**
     * A group's audit events, newest first, at most {@code limit}: of one kind when {@code kind} is set, and whose
     * kind or detail contains {@code text} (any case) when it is set.
     */
    public List<AuditEvent> groupAudit(String groupId, String kind, String text, int limit) {
        StringBuilder sql = new StringBuilder(COLUMNS + "WHERE group_id = ?");
        List<Object> args = new ArrayList<>(List.of(groupId));
        if (kind != null && !kind.isBlank()) {
            sql.append(" AND kind = ?");
            args.add(kind);
        }
        if (text != null && !text.isBlank()) {
            String like = "%" + text.strip().toLowerCase(Locale.ROOT).replace("\\", "\\\\")
                    .replace("%", "\\%").replace("_", "\\_") + "%";
            sql.append(" AND (LOWER(kind) LIKE ? ESCAPE '\\' OR LOWER(COALESCE(detail, '')) LIKE ? ESCAPE '\\')");
            args.add(like);
            args.add(like);
        }
        sql.append(" ORDER BY id DESC LIMIT ?");
        args.add(limit);
        return jdbc.run("reading the audit trail of " + groupId, tx -> tx.list(sql.toString(), AuditLog::event,
                args.toArray()));
    }

    /** The kinds of event in a group's audit trail, sorted, with how many of each. */
    public SortedMap<String, Long> auditKinds(String groupId) {
        SortedMap<String, Long> out = new TreeMap<>();
        jdbc.run("reading the audit kinds of " + groupId, tx -> tx.list(
                "SELECT kind, COUNT(*) FROM audit_events WHERE group_id = ? GROUP BY kind",
                rs -> out.put(rs.getString(1), rs.getLong(2)), groupId));
        return out;
    }

    /** The newest {@code limit} audit events of these kinds, newest first. */
    public List<AuditEvent> recentAudit(List<String> kinds, int limit) {
        if (kinds.isEmpty()) {
            return List.of();
        }
        List<Object> args = new ArrayList<>(kinds);
        args.add(limit);
        return jdbc.run("reading the audit trail", tx -> tx.list(COLUMNS + "WHERE kind IN ("
                + String.join(", ", Collections.nCopies(kinds.size(), "?")) + ") ORDER BY id DESC LIMIT ?",
                AuditLog::event, args.toArray()));
    }

    private static AuditEvent event(ResultSet rs) throws SQLException {
        return new AuditEvent(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getString(6));
    }
}
