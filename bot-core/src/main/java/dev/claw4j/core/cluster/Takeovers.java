package dev.claw4j.core.cluster;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slow safety round of a host that shares its database with others (never on a single H2 host, which needs no
 * polling): every {@code renew} it takes groups with waiting work that no live host holds (a dead host's groups,
 * new groups nobody took), up to its fair share at once and the rest after a lease time, and queues the waiting
 * messages of the groups it holds that were stored by other hosts and whose signal it missed.
 */
public final class Takeovers implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Takeovers.class);

    private final Cluster cluster;
    private final Consumer<String> queue;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            Thread.ofVirtual().name("takeovers").factory());
    /** When each unheld group was first seen waiting (System.nanoTime()), to take it late when over the share. */
    private final Map<String, Long> seenUnheld = new HashMap<>();

    /** @param queue queues a group's work on this host (its turn takes the lease, or finds another host has it) */
    public Takeovers(Cluster cluster, Consumer<String> queue) {
        this.cluster = cluster;
        this.queue = queue;
    }

    public Takeovers start() {
        long every = cluster.settings().renew().toMillis();
        loop.scheduleWithFixedDelay(this::roundQuietly, every, every, TimeUnit.MILLISECONDS);
        return this;
    }

    private void roundQuietly() {
        try {
            round();
        } catch (RuntimeException e) {
            log.warn("host {}: looking for groups to take over failed: {}", cluster.host().hostId(), e.getMessage());
        }
    }

    /** One round; public for tests. */
    public synchronized void round() {
        List<String> unheld = cluster.unheldGroupsWithWork();
        seenUnheld.keySet().retainAll(new HashSet<>(unheld));
        if (!unheld.isEmpty()) {
            int live = Math.max(1, cluster.liveHosts().size());
            int share = (cluster.leasesHeld() + unheld.size() + live - 1) / live;
            long now = System.nanoTime();
            for (String group : unheld) {
                long first = seenUnheld.computeIfAbsent(group, g -> now);
                boolean late = now - first >= cluster.settings().lease().toNanos();
                if (cluster.heldGroups().size() < share || late) {
                    if (cluster.hold(group).isPresent()) {
                        seenUnheld.remove(group);
                        queue.accept(group);
                    }
                }
            }
        }
        for (String group : cluster.heldGroupsWithWaitingMessages()) {
            if (cluster.fence(group).isPresent()) {
                queue.accept(group);
            }
        }
    }

    @Override
    public void close() {
        loop.shutdownNow();
    }
}
