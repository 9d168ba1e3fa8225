package dev.claw4j.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.store.MessageStatus;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.turn.calls.CallContext;
import dev.claw4j.core.turn.calls.SendMessageCall;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.time.Clock;
import java.util.Map;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writes that matter for a group, on one store shared by two hosts: host A takes a message for a turn, is paused
 * past its lease, host B takes the group over (the message waits again, B answers it); A's late writes are refused
 * and leave nothing behind.
 */
@OnBothDatabases
class FencingTest {
    private final Store store;
    private static final ClusterSettings FAST = new ClusterSettings(Duration.ofMillis(600), Duration.ofMillis(300));
    private final Cluster a;
    private final Cluster b;

    FencingTest(TestDatabase db) {
        this.store = db.open();
        this.a = new Cluster(store.dataSource(), new HostIdentity("host-a", "m"), FAST);
        this.b = new Cluster(store.dataSource(), new HostIdentity("host-b", "m"), FAST);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        store.close();
    }

    @Test
    void aPausedHostsLateWritesAreRefusedAndTheNewHolderAnswersOnce() throws Exception {
        b.onAcquired(store.messages()::requeueGroup);
        store.groups().bindNewGroup("web:chat:c1", "g1");
        long id = store.messages().insertInbound(new InboundMessage("web", "c1", null, "ann", "Ann", "hello", "p1",
                ChatKind.DIRECT, true, Instant.now()), MessageStatus.PENDING).orElseThrow();
        store.messages().assignGroup(id, "g1");

        Fence fa = a.hold("g1").orElseThrow();
        assertThat(store.sessions().startTurn("g1", List.of(id), "test", fa)).containsExactly(id);
        assertThat(b.hold("g1")).as("A holds it").isEmpty();

        Thread.sleep(FAST.lease().toMillis() + 200); // A is paused (it renews nothing) past its lease
        Fence fb = b.hold("g1").orElseThrow();
        assertThat(fb.token()).isEqualTo(fa.token() + 1);
        assertThat(store.messages().pendingFor("g1")).as("the turn A cut off waits again").extracting(m -> m.id())
                .containsExactly(id);

        // A wakes up and goes on with its turn: every write it makes is refused
        assertThatThrownBy(() -> store.outbox().insertReply("g1", "web", "c1", null, "A's late answer", id, List.of(id), false,
                null, fa)).isInstanceOf(FencedOutException.class).hasMessageContaining("group g1");
        assertThatThrownBy(() -> store.sessions().startTurn("g1", List.of(id), "test", fa))
                .isInstanceOf(FencedOutException.class);

        // B answers it, once
        assertThat(store.sessions().startTurn("g1", List.of(id), "test", fb)).containsExactly(id);
        long reply = store.outbox().insertReply("g1", "web", "c1", null, "B's answer", id, List.of(id), false, null, fb);
        assertThat(store.outbox().claimReply(reply, "host-a")).as("A may not pick B's group's reply").isFalse();
        assertThat(store.outbox().claimReply(reply, "host-b")).isTrue();
        store.outbox().markDelivered(reply, List.of(), "host-b");

        List<ChatLine> chat = store.messages().history("web", "c1");
        assertThat(chat).extracting(ChatLine::text).containsExactly("hello", "B's answer");
        assertThat(chat).extracting(ChatLine::status).containsExactly("DONE", "DELIVERED");
    }

    @Test
    void aPausedHostsSendMessageCallIsRefusedAndSendsNothing() throws Exception {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        SendMessageCall sendMessage = new SendMessageCall(new Outbox(store, Map.of(), Clock.systemUTC()));
        Fence fa = a.hold("g1").orElseThrow();
        var call = new AgentMessage.HostCall("call-1", "turn-a", "send_message", Map.of("text", "A, mid-turn"));
        // while A holds the group its agent's send_message goes out
        assertThat(sendMessage.handle(context(fa), call)).isInstanceOf(HostMessage.HostResult.class);
        assertThat(store.messages().history("web", "c1")).extracting(ChatLine::text).containsExactly("A, mid-turn");

        Thread.sleep(FAST.lease().toMillis() + 200); // A is paused past its lease; B takes the group
        b.hold("g1").orElseThrow();
        var late = new AgentMessage.HostCall("call-2", "turn-a", "send_message", Map.of("text", "A, too late"));
        assertThatThrownBy(() -> sendMessage.handle(context(fa), late)).isInstanceOf(FencedOutException.class);
        assertThat(store.messages().history("web", "c1")).extracting(ChatLine::text).containsExactly("A, mid-turn");
    }

    private static CallContext context(Fence fence) {
        return new CallContext("g1", "turn-a", "web", "c1", null, (group, kind, detail) -> { }, fence);
    }

    @Test
    void aReplyIsMarkedDeliveredOnlyWhileNoOtherHostHoldsItsGroup() throws Exception {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        Fence fa = a.hold("g1").orElseThrow();
        long reply = store.outbox().insertReply("g1", "web", "c1", null, "answer", null, List.of(), false, null, fa);
        assertThat(store.outbox().claimReply(reply, "host-a")).isTrue();
        Thread.sleep(FAST.lease().toMillis() + 200);
        b.hold("g1").orElseThrow(); // took over while A was sending

        assertThatThrownBy(() -> store.outbox().markDelivered(reply, List.of("42"), "host-a"))
                .isInstanceOf(FencedOutException.class).hasMessageContaining("marking reply " + reply);
        assertThat(store.messages().history("web", "c1")).extracting(ChatLine::status).containsExactly("SENDING");
    }

    @Test
    void aSingleHostAloneIsNeverRefused() {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        long reply = store.outbox().insertReply("g1", "web", "c1", null, "answer", null, List.of(), false);
        assertThat(store.outbox().claimReply(reply)).isTrue(); // no lease row at all: nobody else holds the group
        store.outbox().markDelivered(reply, List.of());
        assertThat(store.messages().history("web", "c1")).extracting(ChatLine::status).containsExactly("DELIVERED");
    }
}
