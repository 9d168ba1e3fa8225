package dev.claw4j.core.outbox;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.core.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replies are stored before they are sent, then delivered by their chat's connector at once; a failed
 * delivery is retried with backoff (or at the platform's Retry-After) until it succeeds or proves hopeless.
 * The inbound messages a reply answers become DONE only when it is delivered.
 */
public final class Outbox implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Outbox.class);
    static final int MAX_ATTEMPTS = 12;
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private final Store store;
    private final Map<String, Connector> connectors;
    private final Clock clock;
    private final Metrics metrics;
    private final Set<Long> inFlight = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService retries =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("outbox-retry").factory());

    public Outbox(Store store, Map<String, Connector> connectors, Clock clock) {
        this(store, connectors, clock, Metrics.none());
    }

    public Outbox(Store store, Map<String, Connector> connectors, Clock clock, Metrics metrics) {
        this.metrics = metrics;
        this.store = store;
        this.connectors = Map.copyOf(connectors);
        this.clock = clock;
    }

    /** Delivers what an earlier run left undelivered, and keeps retrying failures from now on. */
    public void start() {
        retries.scheduleWithFixedDelay(this::deliverDue, 0, 500, TimeUnit.MILLISECONDS);
    }

    /** Stores a reply and delivers it now (on a virtual thread); returns its id. */
    public long send(String groupId, String platform, String chatId, String threadId, String text, Long inReplyTo,
                     List<Long> answers, boolean failed) {
        return send(groupId, platform, chatId, threadId, text, inReplyTo, answers, failed, null);
    }

    /** The same with a file (on the host) to upload, {@code text} being its caption. */
    public long send(String groupId, String platform, String chatId, String threadId, String text, Long inReplyTo,
                     List<Long> answers, boolean failed, java.nio.file.Path file) {
        long id = store.outbox().insertReply(groupId, platform, chatId, threadId, text, inReplyTo, answers, failed, file);
        Thread.ofVirtual().name("deliver-" + id).start(() -> store.outbox().reply(id).ifPresent(this::deliver));
        return id;
    }

    private void deliverDue() {
        try {
            for (OutboundMessage m : store.outbox().dueReplies(clock.instant())) {
                deliver(m);
            }
        } catch (RuntimeException e) {
            log.warn("outbox: {}", e.getMessage());
        }
    }

    private void deliver(OutboundMessage m) {
        if (!inFlight.add(m.id())) {
            return;
        }
        try {
            if (!store.outbox().claimReply(m.id())) {
                return; // delivered or given up meanwhile by the other path
            }
            Connector connector = connectors.get(m.platform());
            if (connector == null) {
                failed(m, new DeliveryException("no connector for platform " + m.platform() + " is running; "
                        + "configure it, and the reply goes out when it starts", null, false, null));
                return;
            }
            Delivered delivered = connector.deliver(m);
            store.outbox().markDelivered(m.id(), delivered == null ? List.of() : delivered.platformMessageIds());
            metrics.messageSent(m.platform());
        } catch (DeliveryException e) {
            failed(m, e);
        } catch (RuntimeException e) {
            failed(m, new DeliveryException(e.toString(), null, false, e));
        } finally {
            inFlight.remove(m.id());
        }
    }

    private void failed(OutboundMessage m, DeliveryException e) {
        int attempts = store.outbox().attempts(m.id()) + 1;
        Instant next = null;
        if (!e.permanent() && attempts < MAX_ATTEMPTS) {
            Duration wait = e.retryAfter() != null ? e.retryAfter() : backoff(attempts);
            next = clock.instant().plus(wait);
        }
        store.outbox().deliveryFailed(m.id(), e.getMessage(), next);
        if (next == null) {
            metrics.outboxFailure(m.platform());
            log.error("reply {} to {}:{} given up after {} attempts: {}", m.id(), m.platform(), m.chatId(), attempts,
                    e.getMessage());
        } else {
            metrics.outboxRetry(m.platform());
            log.warn("reply {} to {}:{} not delivered ({}); retrying at {}", m.id(), m.platform(), m.chatId(),
                    e.getMessage(), next);
        }
    }

    static Duration backoff(int attempts) {
        Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(attempts - 1, 16));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    @Override
    public void close() {
        retries.shutdownNow();
    }
}
