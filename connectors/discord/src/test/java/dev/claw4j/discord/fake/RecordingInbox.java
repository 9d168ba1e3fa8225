package dev.claw4j.discord.fake;

import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An inbox that records every call and, like the host, stores a platform message id once: a second
 * delivery of the same id is answered {@code duplicate}.
 */
public final class RecordingInbox implements Inbox {
    private final List<InboundMessage> calls = new CopyOnWriteArrayList<>();
    private final Map<String, Long> stored = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    /** The next this many calls fail, as a store that is briefly down. */
    public final java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();

    @Override
    public Accepted receive(InboundMessage message) {
        if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new IllegalStateException("store is down");
        }
        calls.add(message);
        boolean[] fresh = {false};
        long id = stored.computeIfAbsent(message.platform() + ":" + message.platformMessageId(), k -> {
            fresh[0] = true;
            return ids.incrementAndGet();
        });
        return new Accepted(id, !fresh[0], message.kind() == dev.claw4j.core.model.ChatKind.DIRECT
                || message.mentionsBot());
    }

    /** Like the host: per chat and thread, the message with the highest id handed in (all of them are recent). */
    @Override
    public List<LastSeen> latestInbound(String platform, java.time.Instant since) {
        Map<String, InboundMessage> newest = new java.util.LinkedHashMap<>();
        for (InboundMessage m : calls) {
            if (m.platform().equals(platform)) {
                newest.merge(m.chatId() + "/" + m.threadId(), m, (a, b) ->
                        Long.parseLong(a.platformMessageId()) >= Long.parseLong(b.platformMessageId()) ? a : b);
            }
        }
        return newest.values().stream().map(m -> new LastSeen(m.chatId(), m.threadId(), m.platformMessageId(),
                m.senderId(), m.kind())).toList();
    }

    @Override
    public List<ChatLine> history(String platform, String chatId) {
        return List.of();
    }

    /** Every message handed in, duplicates included, in order. */
    public List<InboundMessage> calls() {
        return List.copyOf(calls);
    }

    /** The distinct platform message ids stored. */
    public int stored() {
        return stored.size();
    }

    public InboundMessage await(String platformMessageId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (InboundMessage m : calls) {
                if (m.platformMessageId().equals(platformMessageId)) {
                    return m;
                }
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("message " + platformMessageId + " never reached the inbox; got " + calls);
            }
            Thread.sleep(10);
        }
    }
}
