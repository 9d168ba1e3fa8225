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
        startTurn(groupId, messageIds, isolation, null);
    }

    /**
     * The same, fenced (refused with {@link dev.claw4j.core.cluster.FencedOutException}, nothing written, unless this
     * host still holds the group's lease under the fence's token; null: no check), and each message is claimed: it
     * becomes RUNNING only if it is still PENDING. Returns the ids this turn took, in the order given; the others
     * were taken by another turn meanwhile.
     */
    public List<Long> startTurn(String groupId, List<Long> messageIds, String isolation,
                                dev.claw4j.core.cluster.Fence fence) {
        return jdbc.inTransaction("starting a turn of " + groupId, tx -> {
            if (fence != null) {
                dev.claw4j.core.cluster.Cluster.requireHeld(tx, fence,
                        "taking " + messageIds.size() + " message(s) for a turn");
            }
            List<Long> taken = messages.claimRunning(tx, messageIds);
            if (!taken.isEmpty()) {
                tx.update("UPDATE sessions SET turns = turns + 1 WHERE group_id = ?", groupId);
                audit.record(tx, groupId, "turn.started", taken.size() + " message(s)", isolation);
            }
            return taken;
        });
    }

    /** How many turns the group's session has had (this one included, once its turn has started). */
    public int turns(String groupId) {
        return jdbc.run("reading the session of " + groupId, tx -> tx.optional(
                "SELECT turns FROM sessions WHERE group_id = ?", rs -> rs.getInt(1), groupId)).orElse(0);
    }

    public void sessionReset(String groupId) {
        jdbc.run("resetting a session", tx -> tx.update(
                "UPDATE sessions SET turns = 0, started_at = ? WHERE group_id = ?", Instant.now(), groupId));
    }
}
