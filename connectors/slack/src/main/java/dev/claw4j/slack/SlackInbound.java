package dev.claw4j.slack;

import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack message events to the host's inbound messages. What decides addressing and threads happens at once,
 * in Slack's order; names, files and the host's store happen in the channel's lane, and the event is acked only
 * once that is done (see {@link SlackConnector}): Slack redelivers an event that was not acked, never one that
 * was, so an ack before the commit could lose the message.
 *
 * <p>Threads: a reply goes to the thread of the message it answers, so the thread id is the message's
 * {@code thread_ts}, or for a top-level @mention in a channel its own {@code ts} (the reply starts a thread
 * under it). Top-level DMs have no thread: the DM itself is the conversation.
 */
final class SlackInbound {
    private static final Logger log = LoggerFactory.getLogger(SlackInbound.class);

    private final Inbox inbox;
    private final String botUserId;
    private final SlackNames names;
    private final SlackFiles files;
    private final Progress progress;
    private final ChatLanes lanes;
    private final boolean stickyThreads;
    /** Threads where the bot was mentioned: later messages there reach it unmentioned. */
    private final Bounded<String, Boolean> sticky = new Bounded<>(10_000);

    SlackInbound(Inbox inbox, String botUserId, SlackNames names, SlackFiles files, Progress progress,
                 ChatLanes lanes, boolean stickyThreads) {
        this.inbox = inbox;
        this.botUserId = botUserId;
        this.names = names;
        this.files = files;
        this.progress = progress;
        this.lanes = lanes;
        this.stickyThreads = stickyThreads;
    }

    /**
     * Decides quickly, queues the slow part in the channel's lane; the future completes when the message is
     * stored (at once when there is nothing to store), exceptionally when the host could not store it.
     */
    CompletableFuture<Void> onEvent(SlackEvent e) {
        if (e.channel() == null || e.ts() == null || e.user() == null || e.botId() != null
                || e.user().equals(botUserId)) {
            return DONE; // bots (ourselves included) and system messages are not people talking
        }
        boolean direct = e.direct();
        boolean mentioned = e.mentions(botUserId);
        String threadId = e.threadTs() != null ? e.threadTs() : mentioned && !direct ? e.ts() : null;
        if (mentioned && !direct && stickyThreads) {
            sticky.put(key(e.channel(), threadId), true);
        }
        boolean mentionsBot = mentioned
                || stickyThreads && e.threadTs() != null && sticky.contains(key(e.channel(), e.threadTs()));
        if (!direct && !mentionsBot) {
            // Channel talk not meant for the bot never leaves Slack: it is not stored on the host (and costs no
            // users.info calls). message.channels is subscribed only so that sticky threads can be followed.
            return DONE;
        }
        progress.triggeredBy(e.channel(), threadId, e.ts());
        return lanes.submit(e.channel(), () -> deliver(e, threadId, direct, mentionsBot));
    }

    private static final CompletableFuture<Void> DONE = CompletableFuture.completedFuture(null);

    private void deliver(SlackEvent e, String threadId, boolean direct, boolean mentionsBot) {
        StringBuilder text = new StringBuilder(names.plainText(e.text(), botUserId));
        List<Attachment> attachments = new ArrayList<>();
        for (var file : e.files()) {
            SlackFiles.Fetched fetched = files.download(file, e.user() + " in " + e.channel());
            if (fetched.attachment() != null) {
                attachments.add(fetched.attachment());
            } else {
                text.append(text.isEmpty() ? "" : "\n").append(fetched.note());
            }
        }
        InboundMessage message = new InboundMessage(SlackConnector.PLATFORM, e.channel(), threadId, e.user(),
                names.user(e.user()), text.toString(), platformMessageId(e.channel(), e.ts()),
                direct ? ChatKind.DIRECT : ChatKind.GROUP, mentionsBot, instant(e.ts()), attachments);
        Inbox.Accepted accepted = inbox.receive(message);
        log.debug("slack: {} {} (duplicate={}, addressed={})", message.platformMessageId(),
                accepted.messageId(), accepted.duplicate(), accepted.addressed());
    }

    /**
     * channel:ts names one Slack message; the event id would not do, since app_mention and message events for
     * the same message have different ones and must be stored once.
     */
    static String platformMessageId(String channel, String ts) {
        return channel + ":" + ts;
    }

    static String key(String channel, String threadTs) {
        return channel + "/" + threadTs;
    }

    private static Instant instant(String ts) {
        try {
            BigDecimal seconds = new BigDecimal(ts);
            return Instant.ofEpochSecond(seconds.longValue(),
                    seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        } catch (NumberFormatException e) {
            return Instant.now();
        }
    }
}
