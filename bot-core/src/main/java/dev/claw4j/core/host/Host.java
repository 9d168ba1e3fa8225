package dev.claw4j.core.host;

import dev.claw4j.core.store.MessageStatus;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.claw4j.core.access.Gatekeeper;
import dev.claw4j.core.cluster.Cluster;
import dev.claw4j.core.cluster.WorkSignal;
import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.ratelimit.RateLimiter;
import dev.claw4j.core.routing.Router;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoredAttachment;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every message comes in: it is stored first (so nothing accepted is ever lost), then, when it is
 * addressed to the bot, routed to its chat's agent group and queued. After a crash, {@link #recover()}
 * picks up whatever the last run left unfinished.
 */
public final class Host implements Inbox {
    private static final Logger log = LoggerFactory.getLogger(Host.class);
    /** The status of a message kept but not answered because it came over a rate limit. */
    public static final String RATE_LIMITED = "RATE_LIMITED";

    private final Store store;
    private final Router router;
    private final GroupQueue queue;
    private final IncomingFiles incoming;
    private final Gatekeeper gatekeeper;
    private final Outbox outbox;
    private final String isolation;
    private final Metrics metrics;
    private final RateLimiter limiter;
    /** Redelivered platform events are common (Slack retries, reconnects); most are answered from here. */
    private final Cache<String, Long> recent = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(Duration.ofHours(1)).build();
    private final Cache<String, Boolean> knownChats = Caffeine.newBuilder().maximumSize(100_000).build();
    /** Groups the operator paused (kept in the store; read once here so a message costs no extra query). */
    private final Set<String> paused = ConcurrentHashMap.newKeySet();
    /** Routing a message and pausing or resuming its group exclude each other, so no message is left PAUSED. */
    private final ConcurrentHashMap<String, Object> groupLocks = new ConcurrentHashMap<>();
    /** Set when other hosts share the database: the work of a group another host holds is that host's. */
    private volatile boolean shared;
    private volatile WorkSignal signal = WorkSignal.NONE;
    static final String PAUSED_NOTICE = "The admin has paused me here for now. Your message is kept, and I will "
            + "answer it when I am resumed.";

    public Host(Store store, Router router, GroupQueue queue, IncomingFiles incoming, Gatekeeper gatekeeper,
                Outbox outbox, String isolation) {
        this(store, router, queue, incoming, gatekeeper, outbox, isolation, Metrics.none());
    }

    public Host(Store store, Router router, GroupQueue queue, IncomingFiles incoming, Gatekeeper gatekeeper,
                Outbox outbox, String isolation, Metrics metrics) {
        this(store, router, queue, incoming, gatekeeper, outbox, isolation, metrics,
                new RateLimiter(RateLimiter.Settings.OFF, java.time.Clock.systemUTC()));
    }

    /** With rate limits per person and per group: a message over them is kept, marked, and not answered. */
    public Host(Store store, Router router, GroupQueue queue, IncomingFiles incoming, Gatekeeper gatekeeper,
                Outbox outbox, String isolation, Metrics metrics, RateLimiter limiter) {
        this.metrics = metrics;
        this.limiter = limiter;
        this.store = store;
        this.router = router;
        this.queue = queue;
        this.incoming = incoming;
        this.gatekeeper = gatekeeper;
        this.outbox = outbox;
        this.isolation = isolation;
        paused.addAll(store.pauses().pausedGroups());
    }

    /**
     * Joins the hosts sharing this database: when this host takes a group's lease, what the former holder left half
     * done waits again (and its next turn runs it); with {@code shared}, {@link #recover()} leaves other hosts' work
     * alone and every routed message is signalled to the group's holder (which may be another host). Call it while
     * wiring, before {@link #recover()}.
     */
    public Host joinCluster(Cluster cluster, boolean shared, WorkSignal signal) {
        this.shared = shared;
        this.signal = signal;
        cluster.onAcquired(fence -> {
            int again = store.messages().requeueGroup(fence);
            if (again > 0) {
                log.info("[{}] {} message(s) or reply(ies) the former holder left unfinished wait again (token {})",
                        fence.groupId(), again, fence.token());
            }
        });
        return this;
    }

    @Override
    public Accepted receive(InboundMessage received) {
        return receive(received, null);
    }

    @Override
    public Accepted receive(InboundMessage received, Cursor cursor) {
        String key = received.platform() + ":" + received.platformMessageId();
        Long seen = recent.getIfPresent(key);
        if (seen != null) {
            metrics.messageReceived(received.platform(), Metrics.Received.DUPLICATE);
            if (cursor != null) {
                store.cursors().advanceCursor(cursor); // stored before: only the cursor moves
            }
            return new Accepted(seen, true, addressed(received));
        }
        knownChats.get(received.platform() + ":" + received.chatId(), k -> {
            store.chats().ensureChat(received.platform(), received.chatId(), received.kind());
            return true;
        });
        Gatekeeper.Decision decision = gatekeeper.decide(received);
        boolean allowed = decision instanceof Gatekeeper.Decision.Allow;
        MessageStatus status = switch (decision) {
            case Gatekeeper.Decision.Allow a -> MessageStatus.PENDING;
            case Gatekeeper.Decision.NotAddressed n -> MessageStatus.IGNORED;
            case Gatekeeper.Decision.Refuse r -> MessageStatus.REFUSED;
        };
        // files are data beside their message, kept only for messages the agent will see
        List<StoredAttachment> files = allowed ? incoming.keep(received.attachments()) : List.of();
        InboundMessage m = received;
        Optional<Long> id = store.messages().insertInbound(m, status, files, cursor);
        if (id.isEmpty()) {
            files.forEach(incoming::placed); // a redelivery: the first copy's files are the ones kept
            // the store refused it as seen before; only a copy stored under its platform id makes that true (any
            // other clash, e.g. of the row id, would otherwise acknowledge a message that is stored nowhere)
            long existing = store.messages().inboundId(m.platform(), m.platformMessageId()).orElseThrow(() ->
                    new IllegalStateException("message " + key + " clashed with a stored row but no message has its "
                            + "platform id, so it is not stored and not acknowledged (the sender may send it again); "
                            + "check the messages table's identity and unique indexes"));
            recent.put(key, existing);
            metrics.messageReceived(received.platform(), Metrics.Received.DUPLICATE);
            return new Accepted(existing, true, addressed(received));
        }
        recent.put(key, id.get());
        metrics.messageReceived(m.platform(), switch (decision) {
            case Gatekeeper.Decision.Allow a -> Metrics.Received.ACCEPTED;
            case Gatekeeper.Decision.NotAddressed n -> Metrics.Received.IGNORED;
            case Gatekeeper.Decision.Refuse r -> Metrics.Received.REFUSED;
        });
        switch (decision) {
            case Gatekeeper.Decision.Allow a -> route(id.get(), m, true);
            case Gatekeeper.Decision.NotAddressed n -> { }
            case Gatekeeper.Decision.Refuse r -> refuse(id.get(), m, r);
        }
        return new Accepted(id.get(), false, addressed(received));
    }

    private static boolean addressed(InboundMessage m) {
        return m.kind() == ChatKind.DIRECT || m.mentionsBot();
    }

    private void refuse(long id, InboundMessage m, Gatekeeper.Decision.Refuse refusal) {
        store.audit().record(null, "access.refused", refusal.reason(), isolation);
        metrics.refused("access.refused");
        log.info("refused a message from {}:{}: {}", m.platform(), m.senderId(), refusal.reason());
        if (refusal.reply() != null) {
            outbox.send(null, m.platform(), m.chatId(), m.threadId(), refusal.reply(), id, List.of(), false);
        }
    }

    /** {@code fresh}: just received, so it counts against the rate limits (work picked up after a crash does not). */
    private void route(long id, InboundMessage m, boolean fresh) {
        String group = router.groupFor(m);
        if (fresh && limiter.take(m.platform() + ":" + m.senderId(), group) instanceof RateLimiter.Verdict.Limited l) {
            rateLimited(id, m, group, l);
            return;
        }
        store.messages().assignGroup(id, group);
        synchronized (lock(group)) {
            if (!paused.contains(group)) {
                queue.submit(group, id); // runs here when this host holds the group or can take it
                if (shared) {
                    signal.workFor(group); // and reaches its holder when another host has it
                }
                return;
            }
            store.messages().setStatus(List.of(id), MessageStatus.PAUSED);
        }
        if (store.pauses().pauseNoticeOnce(group, m.platform(), m.chatId())) {
            outbox.send(group, m.platform(), m.chatId(), m.threadId(), PAUSED_NOTICE, id, List.of(), false);
        }
    }

    /**
     * Pauses a group: its new messages are stored (PAUSED) and not queued, and each chat is told once. A turn
     * already running finishes. False when it was paused already.
     */
    public boolean pause(String groupId, String by) {
        synchronized (lock(groupId)) {
            boolean now = store.pauses().pause(groupId, by);
            paused.add(groupId);
            if (now) {
                store.audit().record(groupId, "group.paused", "by " + by, isolation);
                log.info("[{}] paused by {}", groupId, by);
            }
            return now;
        }
    }

    /** Resumes a group and queues the messages it held. False when it was not paused. */
    public boolean resume(String groupId, String by) {
        synchronized (lock(groupId)) {
            int held = store.pauses().resume(groupId);
            paused.remove(groupId);
            if (held < 0) {
                return false;
            }
            store.audit().record(groupId, "group.resumed", "by " + by + "; " + held + " message(s) held", isolation);
            log.info("[{}] resumed by {}; {} message(s) held", groupId, by, held);
            if (held > 0) {
                queue.submit(groupId, 0);
            }
            return true;
        }
    }

    public boolean isPaused(String groupId) {
        return paused.contains(groupId);
    }

    private Object lock(String groupId) {
        return groupLocks.computeIfAbsent(groupId, g -> new Object());
    }

    /**
     * Kept, never lost, but not answered: marked {@value #RATE_LIMITED} before it gets its group, so no turn ever
     * takes it. The person is told (and the audit trail written) at most once a minute.
     */
    private void rateLimited(long id, InboundMessage m, String group, RateLimiter.Verdict.Limited limited) {
        store.messages().setStatus(List.of(id), MessageStatus.RATE_LIMITED);
        store.messages().assignGroup(id, group);
        if (limited.notice() != null) {
            log.info("[{}] rate limited {}:{} ({}); told once a minute, later ones are logged at debug", group,
                    m.platform(), m.senderId(), limited.why());
            store.audit().record(group, "rate.limited", limited.why(), isolation);
            outbox.send(group, m.platform(), m.chatId(), m.threadId(), limited.notice(), id, List.of(), false);
        } else {
            log.debug("[{}] rate limited message {} from {}:{}", group, id, m.platform(), m.senderId());
        }
    }

    @Override
    public void advance(Cursor cursor) {
        store.cursors().advanceCursor(cursor);
    }

    @Override
    public OptionalLong cursor(String key) {
        return store.cursors().cursor(key);
    }

    @Override
    public void refused(String platform, String what) {
        store.audit().record(null, "connector.refused", platform + ": " + what, isolation);
        metrics.refused("connector.refused");
    }

    @Override
    public List<LastSeen> latestInbound(String platform, java.time.Instant since) {
        return store.messages().latestInbound(platform, since);
    }

    @Override
    public List<ChatLine> history(String platform, String chatId) {
        return store.messages().history(platform, chatId);
    }

    /** Re-queues the work a previous run left: cut-off turns and messages it never routed. */
    public void recover() {
        // among several hosts, work cut off elsewhere is re-queued by whoever takes its group's lease
        List<String> groups = shared ? store.messages().groupsWithWork() : store.messages().requeueInterrupted();
        for (String group : groups) {
            queue.submit(group, 0);
        }
        List<InboundMessage> unrouted = store.messages().unrouted();
        for (InboundMessage m : unrouted) {
            store.messages().inboundId(m.platform(), m.platformMessageId()).ifPresent(id -> route(id, m, false));
        }
        if (!groups.isEmpty() || !unrouted.isEmpty()) {
            log.info("picked up unfinished work of {} group(s) and {} unrouted message(s) from the last run",
                    groups.size(), unrouted.size());
        }
    }
}
