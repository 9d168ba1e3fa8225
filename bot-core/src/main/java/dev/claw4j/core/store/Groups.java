package dev.claw4j.core.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Agent groups and the binding keys that lead to them. */
public final class Groups {
    private final Jdbc jdbc;
    private final Sessions sessions;

    Groups(Jdbc jdbc, Sessions sessions) {
        this.jdbc = jdbc;
        this.sessions = sessions;
    }

    public Optional<String> groupForBinding(String bindingKey) {
        return jdbc.run("reading binding " + bindingKey, tx -> tx.optional(
                "SELECT group_id FROM bindings WHERE binding_key = ?", rs -> rs.getString(1), bindingKey));
    }

    /**
     * Binds the key to a new group, or returns the group it is already bound to (two first messages
     * racing for one chat end up with one group).
     */
    public String bindNewGroup(String bindingKey, String newGroupId) {
        try {
            return jdbc.inTransaction("creating group " + newGroupId, tx -> {
                tx.update("INSERT INTO agent_groups (id, created_at) VALUES (?, ?)", newGroupId, Instant.now());
                tx.update("INSERT INTO bindings (binding_key, group_id, created_at) VALUES (?, ?, ?)",
                        bindingKey, newGroupId, Instant.now());
                sessions.create(tx, newGroupId);
                return newGroupId;
            });
        } catch (StoreException e) {
            if (Jdbc.isUniqueViolation(e)) {
                return groupForBinding(bindingKey).orElseThrow(() -> e);
            }
            throw e;
        }
    }

    public List<String> groups() {
        return jdbc.run("listing groups", tx -> tx.list("SELECT id FROM agent_groups ORDER BY created_at, id",
                rs -> rs.getString(1)));
    }

    /** The binding keys that lead to a group ({@code web:chat:team}, {@code slack:user:T1:U2}, ...). */
    public List<String> bindingsOf(String groupId) {
        return jdbc.run("reading the bindings of " + groupId, tx -> tx.list(
                "SELECT binding_key FROM bindings WHERE group_id = ? ORDER BY binding_key", rs -> rs.getString(1),
                groupId));
    }
}
