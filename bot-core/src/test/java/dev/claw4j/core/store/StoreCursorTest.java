package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A connector's cursor is stored with the message it covers, in one transaction, and never moves back. */
@OnBothDatabases
class StoreCursorTest {
    private static final String KEY = "telegram:42";
    private final Store store;

    StoreCursorTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static InboundMessage message(String platformId, String sender) {
        return new InboundMessage("telegram", "c1", null, sender, "Ann", "hi", platformId, ChatKind.DIRECT, false,
                Instant.now());
    }

    @Test
    void theCursorIsWrittenWithTheMessage() {
        assertThat(store.cursors().cursor(KEY)).isEmpty();
        assertThat(store.messages().insertInbound(message("1", "ann"), MessageStatus.PENDING, List.of(), new Cursor(KEY, 101))).isPresent();
        assertThat(store.cursors().cursor(KEY)).hasValue(101);
        assertThat(store.messages().inboundId("telegram", "1")).isPresent();
    }

    @Test
    void whenTheMessageCannotBeStoredTheCursorDoesNotMoveEither() {
        store.cursors().advanceCursor(new Cursor(KEY, 100));
        // sender_id is at most 200 characters: the INSERT fails after the cursor's UPDATE ran in the transaction
        InboundMessage tooLong = message("2", "x".repeat(300));
        assertThatThrownBy(() -> store.messages().insertInbound(tooLong, MessageStatus.PENDING, List.of(), new Cursor(KEY, 102)))
                .isInstanceOf(StoreException.class);
        assertThat(store.messages().inboundId("telegram", "2")).as("the message was really refused").isEmpty();
        assertThat(store.cursors().cursor(KEY)).as("rolled back with it").hasValue(100);
    }

    @Test
    void aDuplicateStillMovesTheCursor() {
        store.messages().insertInbound(message("1", "ann"), MessageStatus.PENDING, List.of(), new Cursor(KEY, 101));
        assertThat(store.messages().insertInbound(message("1", "ann"), MessageStatus.PENDING, List.of(), new Cursor(KEY, 105))).isEmpty();
        assertThat(store.cursors().cursor(KEY)).hasValue(105);
        assertThat(store.messages().history("telegram", "c1")).hasSize(1);
    }

    @Test
    void aCursorNeverMovesBackwards() {
        store.cursors().advanceCursor(new Cursor(KEY, 50));
        store.cursors().advanceCursor(new Cursor(KEY, 40));
        assertThat(store.cursors().cursor(KEY)).hasValue(50);
        store.messages().insertInbound(message("9", "ann"), MessageStatus.PENDING, List.of(), new Cursor(KEY, 30));
        assertThat(store.cursors().cursor(KEY)).hasValue(50);
        store.cursors().advanceCursor(new Cursor(KEY, 51));
        assertThat(store.cursors().cursor(KEY)).hasValue(51);
        assertThat(store.cursors().cursor("telegram:other")).as("keys are separate").isEmpty();
    }
}
