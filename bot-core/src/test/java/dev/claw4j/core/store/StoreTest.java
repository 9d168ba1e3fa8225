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
        Optional<Long> first = store.insertInbound(message("c1", "p1", "hi"), "PENDING");
        Optional<Long> again = store.insertInbound(message("c1", "p1", "hi"), "PENDING");
        assertThat(first).isPresent();
        assertThat(again).isEmpty();
        assertThat(store.inboundId("web", "p1")).isEqualTo(first);
        assertThat(store.history("web", "c1")).hasSize(1);
    }

    @Test
    void firstMessagesOfOneChatRacingDoNotFail() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(pool.submit(() -> store.ensureChat("web", "busy", ChatKind.GROUP)));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
    }

    @Test
    void twoGroupsRacingForOneBindingEndUpAsOne() {
        String a = store.bindNewGroup("web:chat:c1", "g-a");
        String b = store.bindNewGroup("web:chat:c1", "g-b");
        assertThat(a).isEqualTo("g-a");
        assertThat(b).isEqualTo("g-a");
        assertThat(store.groups()).containsExactly("g-a");
    }

    @Test
    void aMessageIsDoneOnlyWhenItsReplyIsDelivered() {
        store.bindNewGroup("web:chat:c1", "g1");
        long in = store.insertInbound(message("c1", "p1", "hi"), "PENDING").orElseThrow();
        store.assignGroup(in, "g1");
        assertThat(store.pendingFor("g1")).extracting(StoredInbound::id).containsExactly(in);
        store.setStatus(List.of(in), "RUNNING");
        long out = store.insertReply("g1", "web", "c1", null, "hello", in, List.of(in), false);
        assertThat(statusOf("c1", in)).isEqualTo("RUNNING");
        assertThat(store.dueReplies(Instant.now())).extracting(m -> m.inReplyTo()).containsExactly("p1");
        store.markDelivered(out);
        assertThat(statusOf("c1", in)).isEqualTo("DONE");
        assertThat(statusOf("c1", out)).isEqualTo("DELIVERED");
        assertThat(store.dueReplies(Instant.now())).isEmpty();
    }

    @Test
    void afterACrashCutOffTurnsWaitAgainButAnsweredOnesOnlyWaitForDelivery() {
        store.bindNewGroup("web:chat:c1", "g1");
        long cut = store.insertInbound(message("c1", "p1", "cut off"), "PENDING").orElseThrow();
        long answered = store.insertInbound(message("c1", "p2", "answered"), "PENDING").orElseThrow();
        store.assignGroup(cut, "g1");
        store.assignGroup(answered, "g1");
        store.setStatus(List.of(cut, answered), "RUNNING");
        store.insertReply("g1", "web", "c1", null, "reply", answered, List.of(answered), false);

        assertThat(store.requeueInterrupted()).containsExactly("g1");
        assertThat(store.pendingFor("g1")).extracting(StoredInbound::id).containsExactly(cut);
        assertThat(store.dueReplies(Instant.now())).hasSize(1);
    }

    @Test
    void failedDeliveriesAreRetriedLaterAndGivenUpAtLast() {
        long out = store.insertReply("g1", "web", "c1", null, "reply", null, List.of(), false);
        store.deliveryFailed(out, "429", Instant.now().plusSeconds(60));
        assertThat(store.dueReplies(Instant.now())).isEmpty();
        assertThat(store.dueReplies(Instant.now().plusSeconds(61))).hasSize(1);
        assertThat(store.attempts(out)).isEqualTo(1);
        store.deliveryFailed(out, "gone", null);
        assertThat(store.dueReplies(Instant.now().plusSeconds(3600))).isEmpty();
    }

    @Test
    void historyKeepsOrderAndDirection() {
        long in = store.insertInbound(message("c1", "p1", "question"), "PENDING").orElseThrow();
        store.insertReply("g1", "web", "c1", null, "answer", in, List.of(in), false);
        assertThat(store.history("web", "c1")).extracting(ChatLine::direction, ChatLine::text)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("in", "question"),
                        org.assertj.core.groups.Tuple.tuple("out", "answer"));
    }

    @Test
    void usageAndAuditAreRecordedPerGroup() {
        store.bindNewGroup("web:chat:c1", "g1");
        store.recordUsage("g1", "openai/x", new Usage(10, 5), 12, "OK");
        store.recordUsage("g1", "openai/x", new Usage(1, 1), 3, "OK");
        assertThat(store.totalUsage("g1")).isEqualTo(new Usage(11, 6));
        store.audit("g1", "tool.finished", "bash ls ok", "gvisor (runsc)");
        assertThat(store.auditTrail("g1")).singleElement()
                .satisfies(e -> assertThat(e.isolation()).isEqualTo("gvisor (runsc)"));
    }

    @Test
    void survivesReopeningOnDisk(@TempDir Path dir) {
        try (Store disk = Store.open(dir)) {
            disk.insertInbound(message("c1", "p1", "kept"), "PENDING");
        }
        try (Store again = Store.open(dir)) {
            assertThat(again.history("web", "c1")).extracting(ChatLine::text).containsExactly("kept");
        }
    }

    private String statusOf(String chat, long id) {
        return store.history("web", chat).stream().filter(l -> l.id() == id).findFirst().orElseThrow().status();
    }
}
