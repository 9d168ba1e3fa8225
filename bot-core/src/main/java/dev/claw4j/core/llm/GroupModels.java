package dev.claw4j.core.llm;

import dev.claw4j.core.store.Jdbc;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;

/**
 * Which model each group talks to: the one an admin picked with {@code /model <name>} (stored, so it outlives a
 * restart), else the one config {@code model.groups} names, else the default. Only names from config
 * {@code model.named} can be picked, so the keys stay in the config and never pass through a chat.
 * The gateway asks on every call; answers come from memory, so that costs no query.
 */
public final class GroupModels implements ModelGateway.Routing {
    /** What /model shows and accepts for the default model. */
    public static final String DEFAULT = "default";

    private final Jdbc jdbc;
    private final ModelSettings defaults;
    private final Map<String, ModelSettings> named;
    private final Map<String, String> configured;
    /** group id → picked name, loaded once, then written through. */
    private final Map<String, String> picked = new ConcurrentHashMap<>();

    public GroupModels(DataSource db, ModelSettings defaults, Map<String, ModelSettings> named,
                       Map<String, String> configured) {
        this.jdbc = new Jdbc(db);
        this.defaults = defaults;
        this.named = new TreeMap<>(named);
        this.configured = Map.copyOf(configured);
        load();
    }

    @Override
    public ModelSettings forGroup(String groupId) {
        return named.getOrDefault(nameFor(groupId), defaults);
    }

    /** The name of the group's model: a named model, or {@link #DEFAULT}. */
    public String nameFor(String groupId) {
        String name = picked.get(groupId);
        if (name == null || !named.containsKey(name)) { // a stored name that config no longer has: back to config
            name = configured.get(groupId);
        }
        return name == null || !named.containsKey(name) ? DEFAULT : name;
    }

    /** The settings behind a name, {@link #DEFAULT} included. */
    public Optional<ModelSettings> settings(String name) {
        return DEFAULT.equals(name) ? Optional.of(defaults) : Optional.ofNullable(named.get(name));
    }

    /** The names an admin may pick, {@link #DEFAULT} first. */
    public java.util.List<String> names() {
        var out = new java.util.ArrayList<String>();
        out.add(DEFAULT);
        out.addAll(named.keySet());
        return out;
    }

    /**
     * Picks a model for the group, or with {@link #DEFAULT} drops the pick (the group goes back to config).
     * @throws IllegalArgumentException when the name is not configured
     */
    public void choose(String groupId, String name, String by) {
        if (!DEFAULT.equals(name) && !named.containsKey(name)) {
            throw new IllegalArgumentException("there is no model named '" + name + "'; pick one of " + names());
        }
        jdbc.inTransaction("storing the model for group " + groupId, tx -> {
            tx.update("DELETE FROM group_models WHERE group_id = ?", groupId);
            if (!DEFAULT.equals(name)) {
                tx.update("INSERT INTO group_models (group_id, model_name, chosen_at, chosen_by) VALUES (?, ?, ?, ?)",
                        groupId, name, Instant.now(), by.length() > 200 ? by.substring(0, 200) : by);
            }
            return null;
        });
        if (DEFAULT.equals(name)) {
            picked.remove(groupId);
        } else {
            picked.put(groupId, name);
        }
    }

    private void load() {
        jdbc.run("reading the groups' models (table group_models)", tx -> tx.list(
                "SELECT group_id, model_name FROM group_models", rs -> Map.entry(rs.getString(1), rs.getString(2))))
                .forEach(e -> picked.put(e.getKey(), e.getValue()));
    }
}
