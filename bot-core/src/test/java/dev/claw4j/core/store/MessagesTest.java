package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.protocol.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@OnBothDatabases
class MessagesTest {
    private final Store store;

    MessagesTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static InboundMessage message(String chat, String platformId, String text) {
        return new InboundMessage("web", chat, null, "ann", "Ann", text, platformId, ChatKind.DIRECT, false,
                Instant.parse("2026-11-27T10:00:00Z"));
    }

    @Test
    void aRedeliveredEventIsStoredOnce() {
        Optional<Long> first = store.messages().insertInbound(message("c1", "p1", "hi"), MessageStatus.PENDING);
        Optional<Long> again = store.messages().insertInbound(message("c1", "p1", "hi"), MessageStatus.PENDING);
        assertThat(first).isPresent();
        assertThat(again).isEmpty();
        assertThat(store.messages().inboundId("web", "p1")).isEqualTo(first);
        assertThat(store.messages().history("web", "c1")).hasSize(1);
    }

    @Test
    void aWrongMoveIsRefusedNamingTheIdsAndBothEndsAndChangesNothing() {
        long running = store.messages().insertInbound(message("c1", "p1", "in a turn"), MessageStatus.PENDING)
                .orElseThrow();
        long ignored = store.messages().insertInbound(message("c1", "p2", "context only"), MessageStatus.IGNORED)
                .orElseThrow();
        store.messages().setStatus(List.of(running), MessageStatus.RUNNING);

        // RUNNING may move to DONE, IGNORED (context only) may not: the lot is refused
        assertThatThrownBy(() -> store.messages().setStatus(List.of(running, ignored), MessageStatus.DONE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("[" + running + ", " + ignored + "]")
                .hasMessageContaining("message " + ignored + " is IGNORED").hasMessageContaining("to DONE")
                .hasMessageNotContaining("message " + running + " is");
        assertThat(store.messages().history("web", "c1")).extracting(ChatLine::status)
                .containsExactly("RUNNING", "IGNORED");

        // a finished message does not wait again
        store.messages().setStatus(List.of(running), MessageStatus.DONE);
        assertThatThrownBy(() -> store.messages().setStatus(List.of(running), MessageStatus.PENDING))
                .hasMessageContaining("message " + running + " is DONE").hasMessageContaining("to PENDING");
        assertThat(store.messages().history("web", "c1")).extracting(ChatLine::status)
                .containsExactly("DONE", "IGNORED");
        // a message already where it is asked to go is no move
        store.messages().setStatus(List.of(running), MessageStatus.DONE);
    }

    @Test
    void afterACrashCutOffTurnsWaitAgainButAnsweredOnesOnlyWaitForDelivery() {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        long cut = store.messages().insertInbound(message("c1", "p1", "cut off"), MessageStatus.PENDING).orElseThrow();
        long answered = store.messages().insertInbound(message("c1", "p2", "answered"), MessageStatus.PENDING).orElseThrow();
        store.messages().assignGroup(cut, "g1");
        store.messages().assignGroup(answered, "g1");
        store.messages().setStatus(List.of(cut, answered), MessageStatus.RUNNING);
        store.outbox().insertReply("g1", "web", "c1", null, "reply", answered, List.of(answered), false);

        assertThat(store.messages().requeueInterrupted()).containsExactly("g1");
        assertThat(store.messages().pendingFor("g1")).extracting(StoredInbound::id).containsExactly(cut);
        assertThat(store.outbox().dueReplies(Instant.now())).hasSize(1);
    }

    @Test
    void historyKeepsOrderAndDirection() {
        long in = store.messages().insertInbound(message("c1", "p1", "question"), MessageStatus.PENDING).orElseThrow();
        store.outbox().insertReply("g1", "web", "c1", null, "answer", in, List.of(in), false);
        assertThat(store.messages().history("web", "c1")).extracting(ChatLine::direction, ChatLine::text)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("in", "question"),
                        org.assertj.core.groups.Tuple.tuple("out", "answer"));
    }
}
