package dev.claw4j.core.store;

import java.time.Instant;
import java.util.List;

/** A group's agent session: when it started and how many turns it has had. */
public final class Sessions {
    private final Jdbc jdbc;
    private final Messages messages;
    private final AuditLog audit;

    Sessions(Jdbc jdbc, Messages messages, AuditLog audit) {
        this.jdbc = jdbc;
        this.messages = messages;
        this.audit = audit;
    }

    /** A new group's session, inside the transaction that creates the group. */
    void create(Tx tx, String groupId) throws java.sql.SQLException {
        tx.update("INSERT INTO sessions (group_id, started_at, turns) VALUES (?, ?, 0)", groupId, Instant.now());
    }

    /**
     * A turn takes these messages: one transaction marks them RUNNING, counts the turn and writes the audit
     * line, so the message path pays for one commit instead of three.
     */
    public void startTurn(String groupId, List<Long> messageIds, String isolation) {
        jdbc.inTransaction("starting a turn of " + groupId, tx -> {
            messages.markRunning(tx, messageIds);
            tx.update("UPDATE sessions SET turns = turns + 1 WHERE group_id = ?", groupId);
            audit.record(tx, groupId, "turn.started", messageIds.size() + " message(s)", isolation);
            return null;
        });
    }

    public void sessionReset(String groupId) {
        jdbc.run("resetting a session", tx -> tx.update(
                "UPDATE sessions SET turns = 0, started_at = ? WHERE group_id = ?", Instant.now(), groupId));
    }
}
