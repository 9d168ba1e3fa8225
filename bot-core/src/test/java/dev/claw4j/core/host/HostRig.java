package dev.claw4j.core.host;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.access.Gatekeeper;
import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.NotingConnector;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.ratelimit.RateLimiter;
import dev.claw4j.core.routing.BindingPolicy;
import dev.claw4j.core.routing.Router;
import dev.claw4j.core.store.MessageStatus;
import dev.claw4j.core.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A host over a store, with its queue, outbox, router and door, for tests of what the host does with what connectors
 * hand it. Turns are whatever the test's runner does; replies go to the connectors given (none: they wait).
 */
final class HostRig implements AutoCloseable {
    final Store store;
    final Outbox outbox;
    final GroupQueue queue;
    final Host host;

    HostRig(Store store, Path data, AccessPolicy access, Map<String, Connector> connectors,
            GroupQueue.TurnRunner turns, Metrics metrics, RateLimiter limiter) {
        this.store = store;
        outbox = new Outbox(store, connectors, Clock.systemUTC());
        queue = new GroupQueue(2, Duration.ofMinutes(1), g -> { }, turns, Clock.systemUTC());
        host = new Host(store, new Router(store, BindingPolicy.PER_CHAT, new GroupFolders(data, (g, r) -> { })),
                queue, new IncomingFiles(data), new Gatekeeper(access, new AccessStore(store.dataSource()),
                Clock.systemUTC()), outbox, "test", metrics, limiter);
    }

    HostRig(Store store, Path data, AccessPolicy access, Map<String, Connector> connectors,
            GroupQueue.TurnRunner turns, Metrics metrics) {
        this(store, data, access, connectors, turns, metrics, new RateLimiter(RateLimiter.Settings.OFF,
                Clock.systemUTC()));
    }

    /** DMs from the allowlist only (web:ann), any group chat with an @mention. */
    static AccessPolicy annOnly() {
        return new AccessPolicy(AccessPolicy.DmPolicy.ALLOWLIST, AccessPolicy.GroupPolicy.OPEN, java.util.Set.of(),
                java.util.Set.of("web:ann"), java.util.Set.of());
    }

    /** A web connector that notes each reply as "chat: text". */
    static Map<String, Connector> web(List<String> delivered) {
        return Map.of("web", new NotingConnector("web", m -> delivered.add(m.chatId() + ": " + m.text())));
    }

    /** A turn that only notes which messages it took, as "group text", and marks them done. */
    static GroupQueue.TurnRunner noting(Store store, List<String> turns) {
        return (group, turn) -> {
            var pending = store.messages().pendingFor(group);
            pending.forEach(p -> turns.add(group + " " + p.text()));
            store.messages().setStatus(pending.stream().map(p -> p.id()).toList(), MessageStatus.DONE);
        };
    }

    @Override
    public void close() {
        queue.close();
        outbox.close();
        store.close();
    }
}
