package dev.claw4j.discord;

import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.MessageHistory;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what was said while the process was down. Discord has no ack and a new gateway session replays
 * nothing, so a message JDA had read but the store had not taken when the process died, or one sent while it
 * was down, arrives no other way. For every channel and thread where a message was stored recently, this asks
 * Discord for the messages after the newest one stored ({@code GET channels/{id}/messages?after=…}) and hands
 * each over like a live one; one the store already has (it also came live) is a no-op there.
 *
 * <p>Bounded: only channels with a message in the last {@link #WINDOW}, at most {@link #PER_CHANNEL} messages
 * each, one request at a time (JDA waits out rate limits). What lies beyond is not fetched, and said in the log.
 */
final class CatchUp {
    private static final Logger log = LoggerFactory.getLogger(CatchUp.class);
    static final Duration WINDOW = Duration.ofDays(7);
    static final int PER_CHANNEL = 100; // Discord's most per request

    private final DiscordSession session;
    private final Duration timeout;
    private final Consumer<Message> handOver;

    CatchUp(DiscordSession session, Duration timeout, Consumer<Message> handOver) {
        this.session = session;
        this.timeout = timeout;
        this.handOver = handOver;
    }

    /** Catches up every channel in turn; a channel that fails is logged and skipped. Returns the messages handed over. */
    int run(List<Inbox.LastSeen> from) {
        int total = 0;
        for (Inbox.LastSeen seen : from) {
            if (Thread.currentThread().isInterrupted()) {
                log.info("discord: catch-up stopped (the connector is closing)");
                break;
            }
            String channelId = seen.threadId() != null ? seen.threadId() : seen.chatId();
            try {
                MessageChannel channel = channel(seen);
                if (channel == null) {
                    log.info("discord: channel {} is not visible to the bot now (deleted, archived thread, or the bot "
                            + "was removed); messages sent there while claw4j was down are not read", channelId);
                    continue;
                }
                List<Message> missed = missedIn(channel, seen.platformMessageId());
                missed.forEach(handOver);
                total += missed.size();
            } catch (RuntimeException e) {
                log.warn("discord: could not read channel {} after message {} to catch up ({}); messages sent there "
                        + "while claw4j was down are not read", channelId, seen.platformMessageId(), e.toString());
            }
        }
        return total;
    }

    /** The channel or thread; a DM the cache does not know is opened again with the person who wrote in it. */
    private MessageChannel channel(Inbox.LastSeen seen) {
        String id = seen.threadId() != null ? seen.threadId() : seen.chatId();
        MessageChannel cached = session.channel(id);
        if (cached != null || seen.kind() != ChatKind.DIRECT) {
            return cached;
        }
        MessageChannel dm = session.openDm(seen.senderId(), timeout);
        // Discord keeps one DM channel per person; another id would mean the stored chat is not that DM
        return dm != null && dm.getId().equals(id) ? dm : null;
    }

    /** Messages after {@code afterId}, oldest first. */
    private List<Message> missedIn(MessageChannel channel, String afterId) {
        MessageHistory history = MessageHistory.getHistoryAfter(channel, afterId).limit(PER_CHANNEL)
                .timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).complete();
        List<Message> missed = new ArrayList<>(history.getRetrievedHistory());
        missed.sort(Comparator.comparingLong(Message::getIdLong));
        if (missed.size() == PER_CHANNEL) {
            log.warn("discord: {} or more messages in channel {} since message {}; only the first {} are read",
                    PER_CHANNEL, channel.getId(), afterId, PER_CHANNEL);
        } else if (!missed.isEmpty()) {
            log.info("discord: {} message(s) in channel {} since message {} read to catch up", missed.size(),
                    channel.getId(), afterId);
        }
        return missed;
    }
}
