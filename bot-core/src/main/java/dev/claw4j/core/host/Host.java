package dev.claw4j.core.host;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.routing.Router;
import dev.claw4j.core.store.Store;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every message comes in: it is stored first (so nothing accepted is ever lost), then, when it is
 * addressed to the bot, routed to its chat's agent group and queued. After a crash, {@link #recover()}
 * picks up whatever the last run left unfinished.
 */
public final class Host implements Inbox {
    private static final Logger log = LoggerFactory.getLogger(Host.class);

    private final Store store;
    private final Router router;
    private final GroupQueue queue;
    /** Redelivered platform events are common (Slack retries, reconnects); most are answered from here. */
    private final Cache<String, Long> recent = Caffeine.newBuilder()
            .maximumSize(100_000).expireAfterWrite(Duration.ofHours(1)).build();
    private final Cache<String, Boolean> knownChats = Caffeine.newBuilder().maximumSize(100_000).build();

    public Host(Store store, Router router, GroupQueue queue) {
        this.store = store;
        this.router = router;
        this.queue = queue;
    }

    @Override
    public Accepted receive(InboundMessage m) {
        boolean addressed = m.kind() == ChatKind.DIRECT || m.mentionsBot();
        String key = m.platform() + ":" + m.platformMessageId();
        Long seen = recent.getIfPresent(key);
        if (seen != null) {
            return new Accepted(seen, true, addressed);
        }
        knownChats.get(m.platform() + ":" + m.chatId(), k -> {
            store.ensureChat(m.platform(), m.chatId(), m.kind());
            return true;
        });
        Optional<Long> id = store.insertInbound(m, addressed ? "PENDING" : "IGNORED");
        if (id.isEmpty()) {
            long existing = store.inboundId(m.platform(), m.platformMessageId()).orElse(0L);
            recent.put(key, existing);
            return new Accepted(existing, true, addressed);
        }
        recent.put(key, id.get());
        if (addressed) {
            route(id.get(), m);
        }
        return new Accepted(id.get(), false, addressed);
    }

    private void route(long id, InboundMessage m) {
        String group = router.groupFor(m);
        store.assignGroup(id, group);
        queue.submit(group, id);
    }

    @Override
    public List<ChatLine> history(String platform, String chatId) {
        return store.history(platform, chatId);
    }

    /** Re-queues the work a previous run left: cut-off turns and messages it never routed. */
    public void recover() {
        List<String> groups = store.requeueInterrupted();
        for (String group : groups) {
            queue.submit(group, 0);
        }
        List<InboundMessage> unrouted = store.unrouted();
        for (InboundMessage m : unrouted) {
            store.inboundId(m.platform(), m.platformMessageId()).ifPresent(id -> route(id, m));
        }
        if (!groups.isEmpty() || !unrouted.isEmpty()) {
            log.info("picked up unfinished work of {} group(s) and {} unrouted message(s) from the last run",
                    groups.size(), unrouted.size());
        }
    }
}
