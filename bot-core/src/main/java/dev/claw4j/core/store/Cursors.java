package dev.claw4j.core.store;

import dev.claw4j.core.connector.Cursor;
import java.sql.SQLException;
import java.time.Instant;
import java.util.OptionalLong;

/** Where each connector's cursor stands (the last platform update it has on disk); cursors never move back. */
public final class Cursors {
    private final Jdbc jdbc;

    Cursors(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    /** Moves a connector's cursor on its own (events that carry no message); it never moves backwards. */
    public void advanceCursor(Cursor cursor) {
        jdbc.inTransaction("moving cursor " + cursor.key(), tx -> {
            move(tx, cursor);
            return null;
        });
    }

    /** Where a connector's cursor stands; empty when it was never written. */
    public OptionalLong cursor(String key) {
        return jdbc.run("reading cursor " + key, tx -> tx.optional(
                "SELECT position FROM connector_cursors WHERE cursor_key = ?", rs -> rs.getLong(1), key))
                .map(OptionalLong::of).orElse(OptionalLong.empty());
    }

    /**
     * UPDATE, then INSERT when no row was there: plain SQL that PostgreSQL runs as it is (no MERGE), inside the
     * caller's transaction. One connector instance writes one key, so the INSERT does not race.
     */
    void move(Tx tx, Cursor cursor) throws SQLException {
        if (tx.update("UPDATE connector_cursors SET position = GREATEST(position, ?), updated_at = ? "
                + "WHERE cursor_key = ?", cursor.position(), Instant.now(), cursor.key()) > 0) {
            return;
        }
        tx.update("INSERT INTO connector_cursors (cursor_key, position, updated_at) VALUES (?, ?, ?)",
                cursor.key(), cursor.position(), Instant.now());
    }
}
