package dev.claw4j.telegram;

import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
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

    /** The cursor each received message came with (null without one), in the order of {@link #received}. */
    final List<Cursor> cursorsWithMessages = new CopyOnWriteArrayList<>();
    /** Cursors moved on their own (updates without a message). */
    final List<Cursor> advancedAlone = new CopyOnWriteArrayList<>();
    final Map<String, Long> cursors = new ConcurrentHashMap<>();

    @Override
    public Accepted receive(InboundMessage message) {
        return take(message, null);
    }

    /** Like the host: the message and the cursor together, or neither when it fails. */
    @Override
    public Accepted receive(InboundMessage message, Cursor cursor) {
        return take(message, cursor);
    }

    /** A slow store: each message is recorded this long after it was handed over. */
    volatile long delayMillis;

    private synchronized Accepted take(InboundMessage message, Cursor cursor) {
        if (delayMillis > 0) {
            try {
                Thread.sleep(delayMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
        RuntimeException fail = failWith;
        if (fail != null) {
            throw fail;
        }
        boolean duplicate = !seen.add(message.platformMessageId());
        received.add(message);
        cursorsWithMessages.add(cursor);
        if (cursor != null) {
            cursors.merge(cursor.key(), cursor.position(), Math::max);
        }
        return new Accepted(ids.incrementAndGet(), duplicate, message.kind() == ChatKind.DIRECT || message.mentionsBot());
    }

    @Override
    public synchronized void advance(Cursor cursor) {
        RuntimeException fail = failWith;
        if (fail != null) {
            throw fail;
        }
        advancedAlone.add(cursor);
        cursors.merge(cursor.key(), cursor.position(), Math::max);
    }

    @Override
    public OptionalLong cursor(String key) {
        Long at = cursors.get(key);
        return at == null ? OptionalLong.empty() : OptionalLong.of(at);
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
