package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;

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
class OutboxRepositoryTest {
    private final Store store;

    OutboxRepositoryTest(TestDatabase db) {
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
    void aMessageIsDoneOnlyWhenItsReplyIsDelivered() {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        long in = store.messages().insertInbound(message("c1", "p1", "hi"), MessageStatus.PENDING).orElseThrow();
        store.messages().assignGroup(in, "g1");
        assertThat(store.messages().pendingFor("g1")).extracting(StoredInbound::id).containsExactly(in);
        store.messages().setStatus(List.of(in), MessageStatus.RUNNING);
        long out = store.outbox().insertReply("g1", "web", "c1", null, "hello", in, List.of(in), false);
        assertThat(statusOf("c1", in)).isEqualTo("RUNNING");
        assertThat(store.outbox().dueReplies(Instant.now())).extracting(m -> m.inReplyTo()).containsExactly("p1");
        store.outbox().markDelivered(out);
        assertThat(statusOf("c1", in)).isEqualTo("DONE");
        assertThat(statusOf("c1", out)).isEqualTo("DELIVERED");
        assertThat(store.outbox().dueReplies(Instant.now())).isEmpty();
    }

    @Test
    void failedDeliveriesAreRetriedLaterAndGivenUpAtLast() {
        long out = store.outbox().insertReply("g1", "web", "c1", null, "reply", null, List.of(), false);
        store.outbox().deliveryFailed(out, "429", Instant.now().plusSeconds(60));
        assertThat(store.outbox().dueReplies(Instant.now())).isEmpty();
        assertThat(store.outbox().dueReplies(Instant.now().plusSeconds(61))).hasSize(1);
        assertThat(store.outbox().attempts(out)).isEqualTo(1);
        store.outbox().deliveryFailed(out, "gone", null);
        assertThat(store.outbox().dueReplies(Instant.now().plusSeconds(3600))).isEmpty();
    }

    private String statusOf(String chat, long id) {
        return store.messages().history("web", chat).stream().filter(l -> l.id() == id).findFirst().orElseThrow().status();
    }

    @Test
    void onlyOneAttemptClaimsAReplyAndACutOffSendingWaitsAgain() {
        long out = store.outbox().insertReply("g1", "web", "c1", null, "reply", null, List.of(), false);
        assertThat(store.outbox().claimReply(out)).isTrue();
        assertThat(store.outbox().claimReply(out)).isFalse();
        assertThat(statusOf("c1", out)).isEqualTo("SENDING");
        store.messages().requeueInterrupted();
        assertThat(statusOf("c1", out)).isEqualTo("PENDING");
        store.outbox().markDelivered(out, List.of("m1", "m2"));
        assertThat(store.outbox().platformReplyIds(out)).containsExactly("m1", "m2");
        assertThat(store.outbox().reply(out)).get().extracting(m -> m.text()).isEqualTo("reply");
    }
}
