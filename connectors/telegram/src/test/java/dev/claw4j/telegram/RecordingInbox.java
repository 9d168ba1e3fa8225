package dev.claw4j.telegram;

import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/** An inbox that records what it gets and answers like the host: duplicates by platform message id. */
final class RecordingInbox implements Inbox {
    /** What the connector refused before it became a message (for the audit trail). */
    public final List<String> refusals = new CopyOnWriteArrayList<>();
    final List<InboundMessage> received = new CopyOnWriteArrayList<>();
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private final AtomicLong ids = new AtomicLong();
    volatile RuntimeException failWith;

    @Override
    public Accepted receive(InboundMessage message) {
        RuntimeException fail = failWith;
        if (fail != null) {
            throw fail;
        }
        boolean duplicate = !seen.add(message.platformMessageId());
        received.add(message);
        return new Accepted(ids.incrementAndGet(), duplicate, message.kind() == ChatKind.DIRECT || message.mentionsBot());
    }

    @Override
    public void refused(String platform, String what) {
        refusals.add(platform + ": " + what);
    }

    @Override
    public List<ChatLine> history(String platform, String chatId) {
        return List.of();
    }

    InboundMessage last() {
        return received.getLast();
    }
}
