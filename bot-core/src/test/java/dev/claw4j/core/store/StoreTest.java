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
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
    private final Store store = Store.inMemory(UUID.randomUUID().toString());

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
    void firstMessagesOfOneChatRacingDoNotFail() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(pool.submit(() -> store.chats().ensureChat("web", "busy", ChatKind.GROUP)));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
    }

    @Test
    void twoGroupsRacingForOneBindingEndUpAsOne() {
        String a = store.groups().bindNewGroup("web:chat:c1", "g-a");
        String b = store.groups().bindNewGroup("web:chat:c1", "g-b");
        assertThat(a).isEqualTo("g-a");
        assertThat(b).isEqualTo("g-a");
        assertThat(store.groups().groups()).containsExactly("g-a");
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
    void failedDeliveriesAreRetriedLaterAndGivenUpAtLast() {
        long out = store.outbox().insertReply("g1", "web", "c1", null, "reply", null, List.of(), false);
        store.outbox().deliveryFailed(out, "429", Instant.now().plusSeconds(60));
        assertThat(store.outbox().dueReplies(Instant.now())).isEmpty();
        assertThat(store.outbox().dueReplies(Instant.now().plusSeconds(61))).hasSize(1);
        assertThat(store.outbox().attempts(out)).isEqualTo(1);
        store.outbox().deliveryFailed(out, "gone", null);
        assertThat(store.outbox().dueReplies(Instant.now().plusSeconds(3600))).isEmpty();
    }

    @Test
    void historyKeepsOrderAndDirection() {
        long in = store.messages().insertInbound(message("c1", "p1", "question"), MessageStatus.PENDING).orElseThrow();
        store.outbox().insertReply("g1", "web", "c1", null, "answer", in, List.of(in), false);
        assertThat(store.messages().history("web", "c1")).extracting(ChatLine::direction, ChatLine::text)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("in", "question"),
                        org.assertj.core.groups.Tuple.tuple("out", "answer"));
    }

    @Test
    void usageAndAuditAreRecordedPerGroup() {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        store.usage().recordUsage("g1", "openai/x", new Usage(10, 5), 12, "OK");
        store.usage().recordUsage("g1", "openai/x", new Usage(1, 1), 3, "OK");
        assertThat(store.usage().totalUsage("g1")).isEqualTo(new Usage(11, 6));
        store.audit().record("g1", "tool.finished", "bash ls ok", "gvisor (runsc)");
        assertThat(store.audit().auditTrail("g1")).singleElement()
                .satisfies(e -> assertThat(e.isolation()).isEqualTo("gvisor (runsc)"));
    }

    @Test
    void survivesReopeningOnDisk(@TempDir Path dir) {
        try (Store disk = Store.open(dir)) {
            disk.messages().insertInbound(message("c1", "p1", "kept"), MessageStatus.PENDING);
        }
        try (Store again = Store.open(dir)) {
            assertThat(again.messages().history("web", "c1")).extracting(ChatLine::text).containsExactly("kept");
        }
    }

    private String statusOf(String chat, long id) {
        return store.messages().history("web", chat).stream().filter(l -> l.id() == id).findFirst().orElseThrow().status();
    }
}
