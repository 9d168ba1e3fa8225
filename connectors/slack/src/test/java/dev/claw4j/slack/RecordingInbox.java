package dev.claw4j.slack;

import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** The host's inbox, as far as a connector can see it: records everything, and dedups like the Store does. */
public final class RecordingInbox implements Inbox {
    /** What the connector refused before it became a message (for the audit trail). */
    public final List<String> refusals = new CopyOnWriteArrayList<>();
    private final List<InboundMessage> received = new CopyOnWriteArrayList<>();
    private final Map<String, Long> stored = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** A slow store: each message is recorded this long after it was handed over. */
    public volatile long delayMillis;
    /** A store that is down. */
    public volatile RuntimeException failWith;

    @Override
    public Accepted receive(InboundMessage message) {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        RuntimeException fail = failWith;
        if (fail != null) {
            throw fail;
        }
        received.add(message);
        boolean addressed = message.kind() == dev.claw4j.core.model.ChatKind.DIRECT || message.mentionsBot();
        Long existing = stored.putIfAbsent(message.platformMessageId(), ids.incrementAndGet());
        return existing != null ? new Accepted(existing, true, addressed)
                : new Accepted(stored.get(message.platformMessageId()), false, addressed);
    }

    @Override
    public void refused(String platform, String what) {
        refusals.add(platform + ": " + what);
    }

    @Override
    public List<ChatLine> history(String platform, String chatId) {
        return List.of();
    }

    /** Every call, duplicates included. */
    public List<InboundMessage> received() {
        return List.copyOf(received);
    }

    /** The messages a host would have stored (first of each platform message id). */
    public List<InboundMessage> stored() {
        Map<String, InboundMessage> first = new java.util.LinkedHashMap<>();
        received.forEach(m -> first.putIfAbsent(m.platformMessageId(), m));
        return List.copyOf(first.values());
    }
}
