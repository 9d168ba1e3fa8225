package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.sql.Types;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class JdbcTest {
    private final Store store;
    private final Jdbc jdbc;

    JdbcTest(TestDatabase db) {
        this.store = db.open();
        this.jdbc = store.jdbc();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aTransactionThatFailsLeavesNothingBehindEvenFromAnotherRepository() {
        assertThatThrownBy(() -> jdbc.inTransaction("testing a rollback", tx -> {
            store.cursors().move(tx, new Cursor("k", 7));
            store.audit().record(tx, null, "test.kind", "written then rolled back", null);
            throw new IllegalStateException("boom");
        })).hasMessage("boom");
        assertThat(store.cursors().cursor("k")).isEmpty();
        assertThat(store.audit().auditByKind("test.kind")).isEmpty();
    }

    @Test
    void theHelpersBindTheirTypesAndReadRowsBack() {
        long id = jdbc.run("inserting", tx -> tx.insert("INSERT INTO messages (direction, platform, chat_id, "
                + "sender_id, sender_name, text, error, status, created_at, updated_at, in_reply_to) "
                + "VALUES ('in', ?, ?, ?, 'Ann', 'hi', ?, ?, ?, ?, ?)",
                "web", "c", "ann", null, MessageStatus.PENDING, Instant.EPOCH, Instant.EPOCH,
                Tx.nullOf(Types.BIGINT)));
        String row = jdbc.run("reading", tx -> tx.one("SELECT status, error, created_at FROM messages WHERE id = ?",
                rs -> rs.getString(1) + "/" + rs.getString(2) + "/" + Tx.instant(rs, 3), id));
        assertThat(row).isEqualTo("PENDING/null/" + Instant.EPOCH);
        java.util.Optional<Long> none = jdbc.run("reading", tx -> tx.optional("SELECT id FROM messages WHERE id = ?",
                rs -> rs.getLong(1), id + 1));
        assertThat(none).isEmpty();
        java.util.List<Long> all = jdbc.run("reading", tx -> tx.list("SELECT id FROM messages", rs -> rs.getLong(1)));
        assertThat(all).containsExactly(id);
    }

    @Test
    void anSqlErrorSaysWhatWasBeingDone() {
        assertThatThrownBy(() -> jdbc.run("reading the moon", tx -> tx.list("SELECT * FROM moon", rs -> 1)))
                .isInstanceOf(StoreException.class).hasMessageStartingWith("reading the moon: ");
    }

    @Test
    void aDuplicateIsRecognisedAsAUniqueViolation() {
        InboundMessage m = new InboundMessage("web", "c", null, "ann", "Ann", "hi", "p1", ChatKind.DIRECT, false,
                Instant.now());
        store.messages().insertInbound(m, MessageStatus.PENDING);
        StoreException e = org.junit.jupiter.api.Assertions.assertThrows(StoreException.class,
                () -> jdbc.run("inserting twice", tx -> tx.update("INSERT INTO messages (direction, platform, "
                        + "chat_id, sender_id, sender_name, text, platform_message_id, status, created_at, updated_at) "
                        + "VALUES ('in', 'web', 'c', 'ann', 'Ann', 'hi', 'p1', 'PENDING', ?, ?)", Instant.now(), Instant.now())));
        assertThat(Jdbc.isUniqueViolation(e)).isTrue();
        assertThat(store.messages().history("web", "c")).hasSize(1);
    }
}
