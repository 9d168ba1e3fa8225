package dev.claw4j.core.outbox;

import dev.claw4j.core.store.MessageStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class OutboxTest {
    private final Store store;

    OutboxTest(TestDatabase database) {
        this.store = database.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    /** A platform that refuses the first {@code failures} deliveries with a 429. */
    private static final class FlakyPlatform implements Connector {
        final List<OutboundMessage> delivered = new CopyOnWriteArrayList<>();
        final AtomicInteger calls = new AtomicInteger();
        final int failures;
        final boolean permanent;

        FlakyPlatform(int failures, boolean permanent) {
            this.failures = failures;
            this.permanent = permanent;
        }

        @Override
        public String platform() {
            return "web";
        }

        @Override
        public void start(Inbox inbox) {}

        @Override
        public Delivered deliver(OutboundMessage message) throws DeliveryException {
            if (calls.incrementAndGet() <= failures) {
                throw new DeliveryException("429 slow down", Duration.ofMillis(100), permanent, null);
            }
            delivered.add(message);
            return Delivered.of("pm-" + message.id() + "-a", "pm-" + message.id() + "-b");
        }

        @Override
        public void close() {}
    }

    private long question() {
        long id = store.messages().insertInbound(new InboundMessage("web", "c1", null, "ann", "Ann", "q", "p1",
                ChatKind.DIRECT, false, null), MessageStatus.RUNNING).orElseThrow();
        return id;
    }

    @Test
    void aReplyIsRetriedUntilDeliveredAndOnlyThenIsTheQuestionDone() {
        FlakyPlatform platform = new FlakyPlatform(2, false);
        try (Outbox outbox = new Outbox(store, Map.of("web", platform), Clock.systemUTC())) {
            outbox.start();
            long q = question();
            outbox.send("g1", "web", "c1", null, "answer", q, List.of(q), false);
            await().atMost(10, TimeUnit.SECONDS).until(() -> platform.delivered.size() == 1);
            await().atMost(5, TimeUnit.SECONDS).until(() -> status(q).equals("DONE"));
            assertThat(platform.calls.get()).isEqualTo(3);
            assertThat(platform.delivered.getFirst().inReplyTo()).isEqualTo("p1");
        }
    }

    @Test
    void thePlatformsMessageIdsAreStoredWithTheReply() {
        FlakyPlatform platform = new FlakyPlatform(0, false);
        try (Outbox outbox = new Outbox(store, Map.of("web", platform), Clock.systemUTC())) {
            long q = question();
            long reply = outbox.send("g1", "web", "c1", null, "answer", q, List.of(q), false);
            await().atMost(5, TimeUnit.SECONDS).until(() -> status(reply).equals("DELIVERED"));
            assertThat(store.outbox().platformReplyIds(reply)).containsExactly("pm-" + reply + "-a", "pm-" + reply + "-b");
        }
    }

    @Test
    void anAcceptedReplyIsNeverSentAgain() throws Exception {
        FlakyPlatform platform = new FlakyPlatform(0, false);
        long reply;
        try (Outbox outbox = new Outbox(store, Map.of("web", platform), Clock.systemUTC())) {
            outbox.start(); // the retry loop runs beside the immediate delivery: the claim lets one of them send
            long q = question();
            reply = outbox.send("g1", "web", "c1", null, "answer", q, List.of(q), false);
            await().atMost(5, TimeUnit.SECONDS).until(() -> status(reply).equals("DELIVERED"));
            Thread.sleep(1_200); // two more rounds of the retry loop
        }
        // a restart: recovery and a new outbox find nothing to send
        assertThat(store.messages().requeueInterrupted()).isEmpty();
        try (Outbox again = new Outbox(store, Map.of("web", platform), Clock.systemUTC())) {
            again.start();
            Thread.sleep(1_200);
        }
        assertThat(platform.calls.get()).isEqualTo(1);
        assertThat(status(reply)).isEqualTo("DELIVERED");
    }

    @Test
    void aPermanentRefusalIsNotRetried() throws Exception {
        FlakyPlatform platform = new FlakyPlatform(100, true);
        try (Outbox outbox = new Outbox(store, Map.of("web", platform), Clock.systemUTC())) {
            outbox.start();
            long q = question();
            long reply = outbox.send("g1", "web", "c1", null, "answer", q, List.of(q), false);
            await().atMost(5, TimeUnit.SECONDS).until(() -> status(reply).equals("FAILED"));
            Thread.sleep(700);
            assertThat(platform.calls.get()).isEqualTo(1);
            assertThat(status(q)).isEqualTo("FAILED");
        }
    }

    @Test
    void backoffGrowsAndIsCapped() {
        assertThat(Outbox.backoff(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(Outbox.backoff(3)).isEqualTo(Duration.ofSeconds(4));
        assertThat(Outbox.backoff(30)).isEqualTo(Duration.ofMinutes(5));
    }

    private String status(long id) {
        return store.messages().history("web", "c1").stream().filter(l -> l.id() == id).findFirst().orElseThrow().status();
    }
}
