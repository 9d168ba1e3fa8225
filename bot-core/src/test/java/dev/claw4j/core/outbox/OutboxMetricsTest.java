package dev.claw4j.core.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.core.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the outbox counts: replies delivered, deliveries retried, replies given up. */
class OutboxMetricsTest {
    private final Store store = Store.inMemory(UUID.randomUUID().toString());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        store.close();
    }

    /** Refuses the first {@code failures} deliveries; the rest go through. */
    private static Connector platform(int failures, boolean permanent, AtomicInteger delivered) {
        AtomicInteger calls = new AtomicInteger();
        return new Connector() {
            @Override
            public String platform() {
                return "web";
            }

            @Override
            public void start(Inbox inbox) {}

            @Override
            public dev.claw4j.core.connector.Delivered deliver(OutboundMessage message) throws DeliveryException {
                if (calls.incrementAndGet() <= failures) {
                    throw new DeliveryException("503 try later", Duration.ofMillis(50), permanent, null);
                }
                delivered.incrementAndGet();
                return dev.claw4j.core.connector.Delivered.NO_IDS;
            }

            @Override
            public void close() {}
        };
    }

    private double count(String name) {
        var counter = registry.find(name).tag("platform", "web").counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void retriesAreCountedAndTheDeliveryOnce() {
        AtomicInteger delivered = new AtomicInteger();
        try (Outbox outbox = new Outbox(store, Map.of("web", platform(2, false, delivered)), Clock.systemUTC(),
                new Metrics(registry))) {
            outbox.start();
            outbox.send("g1", "web", "c1", null, "one", null, List.of(), false);
            outbox.send("g1", "web", "c1", null, "two", null, List.of(), false);
            await().atMost(10, TimeUnit.SECONDS).until(() -> delivered.get() == 2);
            await().atMost(2, TimeUnit.SECONDS).until(() -> count("claw4j.messages.sent") == 2);
            assertThat(count("claw4j.outbox.retries")).isEqualTo(2);
            assertThat(count("claw4j.outbox.failures")).isZero();
        }
    }

    @Test
    void aReplyGivenUpIsAFailureNotARetry() {
        AtomicInteger delivered = new AtomicInteger();
        try (Outbox outbox = new Outbox(store, Map.of("web", platform(100, true, delivered)), Clock.systemUTC(),
                new Metrics(registry))) {
            outbox.start();
            outbox.send("g1", "web", "c1", null, "lost", null, List.of(), false);
            await().atMost(5, TimeUnit.SECONDS).until(() -> count("claw4j.outbox.failures") == 1);
            assertThat(count("claw4j.outbox.retries")).isZero();
            assertThat(count("claw4j.messages.sent")).isZero();
            assertThat(delivered.get()).isZero();
        }
    }
}
