package dev.claw4j.core.cluster;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import dev.claw4j.core.store.Jdbc;
import dev.claw4j.core.store.Tx;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host among the hosts that share one database: its heartbeat, the group leases it holds (a host runs turns
 * only for groups it holds), and the named leader leases. One loop renews everything every
 * {@link ClusterSettings#renew()}; a lease whose renewal is refused (another host took it over) is dropped and the
 * listeners are told. On a single host with H2 the same code runs and every lease is simply this host's.
 */
public final class Cluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Cluster.class);

    /** A group lease held here, and when its last renewal began (by this JVM's monotonic clock). */
    private record Held(Lease lease, long renewedAt) {}

    private final HostIdentity me;
    private final ClusterSettings settings;
    private final LeaseTable groupLeases;
    private final LeaseTable leaderLeases;
    private final HostTable hosts;
    private final Map<String, Held> held = new ConcurrentHashMap<>();
    private final List<LeaderImpl> leaders = new CopyOnWriteArrayList<>();
    private final List<LeaseShare> shares = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> lostListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<Fence>> acquiredListeners = new CopyOnWriteArrayList<>();
    private final WorkQueries work;
    private final ScheduledExecutorService loop;
    private volatile boolean closed;

    public Cluster(DataSource db, HostIdentity me, ClusterSettings settings) {
        this.me = me;
        this.settings = settings;
        Jdbc jdbc = new Jdbc(db);
        this.groupLeases = new LeaseTable(jdbc, LeaseTable.Kind.GROUP);
        this.leaderLeases = new LeaseTable(jdbc, LeaseTable.Kind.LEADER);
        this.hosts = new HostTable(jdbc);
        this.work = new WorkQueries(jdbc);
        this.loop = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("cluster-" + me.hostId())
                .factory());
    }

    /** Registers this host and starts renewing (the heartbeat and every lease held) every {@code renew}. */
    public Cluster start() {
        register();
        long every = settings.renew().toMillis();
        loop.scheduleWithFixedDelay(this::tickQuietly, every, every, TimeUnit.MILLISECONDS);
        log.info("host {} on machine {} joined the cluster (lease {} ms, renewed every {} ms)", me.hostId(),
                me.machineId(), settings.lease().toMillis(), settings.renew().toMillis());
        return this;
    }

    /** Registers this host without the renewing loop: tests drive {@link #tick()} themselves (to pause a host). */
    Cluster register() {
        hosts.register(me);
        return this;
    }

    public HostIdentity host() {
        return me;
    }

    public ClusterSettings settings() {
        return settings;
    }

    /** Called with a group's id when this host loses its lease (another host took the group over). */
    public void onLost(Consumer<String> listener) {
        lostListeners.add(listener);
    }

    /**
     * Called with the new fence whenever this host takes a group's lease (a new token), before the group's first turn
     * under it: whatever a former holder (another host, or an earlier run of this one) left half done is this host's
     * to pick up now, and no one else works on the group meanwhile.
     */
    public void onAcquired(Consumer<Fence> listener) {
        acquiredListeners.add(listener);
    }

    /**
     * The fence of a group this host holds, if it does: the lease is here and was renewed within the lease time
     * (a host that was paused longer than that does not trust it any more; the database decides at the next write).
     */
    public Optional<Fence> fence(String groupId) {
        Held h = held.get(groupId);
        if (h == null || System.nanoTime() - h.renewedAt() >= settings.lease().toNanos()) {
            return Optional.empty();
        }
        return Optional.of(new Fence(groupId, me.hostId(), h.lease().token()));
    }

    /** The group's fence, taking its lease first when it is free or expired; empty when another host holds it. */
    public Optional<Fence> hold(String groupId) {
        Optional<Fence> now = fence(groupId);
        if (now.isPresent() || closed) {
            return now;
        }
        long started = System.nanoTime();
        Optional<Lease> got = groupLeases.acquire(groupId, me.hostId(), settings.lease());
        if (got.isEmpty()) {
            Held lost = held.get(groupId);
            if (lost != null) {
                lost(lost);
            }
            return Optional.empty();
        }
        Lease lease = got.get();
        held.put(groupId, new Held(lease, started));
        Fence fence = new Fence(groupId, me.hostId(), lease.token());
        if (lease.tookOver()) {
            log.info("[{}] took over group {} from host {} (lease expired {}), token {}", groupId, groupId,
                    lease.previousHost(), lease.previousExpiry(), lease.token());
        } else {
            log.debug("[{}] holds group {} with token {}", groupId, groupId, lease.token());
        }
        acquiredListeners.forEach(l -> l.accept(fence));
        return Optional.of(fence);
    }

    /** Gives a group's lease up now (this host stops working for it), so another host can take it at once. */
    public void release(String groupId) {
        Held h = held.remove(groupId);
        if (h != null) {
            groupLeases.release(h.lease());
        }
    }

    public Set<String> heldGroups() {
        return Set.copyOf(held.keySet());
    }

    /** Ids of the hosts alive now (heartbeat within the lease time, not stopped), this one included. */
    public List<String> liveHosts() {
        return hosts.live(settings.lease());
    }

    /**
     * Other hosts that ran on this machine and are gone (stopped, or no heartbeat for a lease time): their sandboxes
     * left on this machine's Docker are orphans this host may remove. A live other host is never listed.
     */
    public Set<String> goneHostsOnThisMachine() {
        return Set.copyOf(hosts.goneOn(me.machineId(), me.hostId(), settings.lease()));
    }

    /** Groups with work waiting (messages, replies) whose lease no live host holds, oldest work first. */
    public List<String> unheldGroupsWithWork() {
        return work.unheldGroupsWithWork();
    }

    /** Groups this host holds that have messages waiting for a turn (stored by any host). */
    public List<String> heldGroupsWithWaitingMessages() {
        return work.groupsWithWaitingMessages(me.hostId());
    }

    /** How many group leases are held (not expired) by any host. */
    public int leasesHeld() {
        return work.leasesHeld();
    }

    /** Who holds a group's lease now, for the console and tests; empty when no one ever did. */
    public Optional<String> holderOf(String groupId) {
        return groupLeases.holder(groupId).filter(h -> h.hostId() != null && !h.expired()).map(LeaseTable.Holder::hostId);
    }

    /**
     * Takes part in the election for {@code name}: this host becomes leader when the lease is free and stays leader
     * while it renews it. The first attempt happens now, later ones every {@code renew}.
     */
    public Leadership lead(String name, Leadership.Listener listener) {
        LeaderImpl l = new LeaderImpl(name, listener);
        leaders.add(l);
        l.tick();
        return l;
    }

    /**
     * Divides {@code count} leader leases named {@code prefix + index} among the live hosts (see {@link LeaseShare}):
     * this host takes its part now and adjusts it every {@code renew}. Close it to give its leases up.
     */
    public LeaseShare share(String prefix, int count, LeaseShare.Listener listener) {
        LeaseShare share = new LeaseShare(this, prefix, count, listener);
        shares.add(share);
        share.round();
        return share;
    }

    /**
     * Inside the caller's transaction, before a write that matters for a group: refuses the write (throws, so the
     * transaction rolls back) unless the group's lease still has the fence's host and token; the lease row stays
     * locked until the transaction ends, so no takeover slips in between.
     */
    public static void requireHeld(Tx tx, Fence fence, String what) throws SQLException {
        if (!LeaseTable.holds(tx, fence)) {
            log.warn("[{}] refused {}: host {} no longer holds group {} under token {} (another host took it over)",
                    fence.groupId(), what, fence.hostId(), fence.groupId(), fence.token());
            throw new FencedOutException(fence, what);
        }
    }

    /** One round of the loop: heartbeat, renew every group lease held, then the leader leases. Public for tests. */
    public void tick() {
        if (closed) {
            return;
        }
        hosts.beat(me.hostId());
        List<Held> renewing = List.copyOf(held.values());
        long started = System.nanoTime();
        java.util.Set<String> kept;
        try {
            kept = groupLeases.renewAll(renewing.stream().map(Held::lease).toList(), settings.lease());
        } catch (ClusterException e) {
            // the database is away: keep trying until the lease time is over (then fence() stops trusting them)
            log.warn("host {} could not renew its {} group lease(s): {}", me.hostId(), renewing.size(), e.getMessage());
            kept = null;
        }
        if (kept != null) {
            for (Held h : renewing) {
                if (kept.contains(h.lease().name())) {
                    held.replace(h.lease().name(), h, new Held(h.lease(), started));
                } else {
                    lost(h);
                }
            }
        }
        leaders.forEach(LeaderImpl::tick);
        for (LeaseShare share : shares) {
            try {
                share.round();
            } catch (RuntimeException e) { // the database is away: the next round tries again
                log.warn("host {}: could not divide the leases of a share: {}", me.hostId(), e.getMessage());
            }
        }
    }

    void forget(LeaseShare share) {
        shares.remove(share);
    }

    /** Another host has the group now: it is dropped here (once) and the listeners are told. */
    private void lost(Held h) {
        if (held.remove(h.lease().name(), h)) {
            log.warn("[{}] lost the lease of group {} (token {}): another host took it over", h.lease().name(),
                    h.lease().name(), h.lease().token());
            lostListeners.forEach(l -> l.accept(h.lease().name()));
        }
    }

    private void tickQuietly() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("host {}: the cluster heartbeat failed: {}; trying again in {} s", me.hostId(), e.getMessage(),
                    settings.renew().toSeconds());
        }
    }

    /** Stops renewing, gives every lease up and marks this host stopped: a graceful stop hands work over at once. */
    @Override
    public void close() {
        closed = true;
        loop.shutdownNow();
        try {
            loop.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            for (String group : heldGroups()) {
                release(group);
            }
            shares.forEach(LeaseShare::close);
            leaders.forEach(LeaderImpl::close);
            hosts.stopped(me.hostId());
        } catch (RuntimeException e) {
            log.warn("host {}: could not give its leases up at stop ({}); they expire in {} s", me.hostId(),
                    e.getMessage(), settings.lease().toSeconds());
        }
    }

    private final class LeaderImpl implements Leadership {
        private final String name;
        private final Listener listener;
        private Lease lease;
        private long renewedAt;
        private boolean stopped;

        LeaderImpl(String name, Listener listener) {
            this.name = name;
            this.listener = listener;
        }

        synchronized void tick() {
            if (stopped || closed) {
                return;
            }
            long started = System.nanoTime();
            try {
                if (lease != null && leaderLeases.renew(lease, settings.lease())) {
                    renewedAt = started;
                    return;
                }
                if (lease != null) {
                    Lease lost = lease;
                    lease = null;
                    log.warn("host {} is no longer leader of {} (another host took the lease, token {})",
                            me.hostId(), name, lost.token());
                    listener.lost(lost);
                }
                Optional<Lease> got = leaderLeases.acquire(name, me.hostId(), settings.lease());
                if (got.isPresent()) {
                    lease = got.get();
                    renewedAt = started;
                    log.info("host {} is leader of {} (token {}{})", me.hostId(), name, lease.token(),
                            lease.tookOver() ? ", took over from host " + lease.previousHost() : "");
                    listener.gained(lease);
                }
            } catch (ClusterException e) {
                log.warn("host {}: could not renew or take the leader lease {}: {}", me.hostId(), name, e.getMessage());
            }
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public synchronized boolean isLeader() {
            return lease != null && System.nanoTime() - renewedAt < settings.lease().toNanos();
        }

        @Override
        public synchronized Optional<Lease> lease() {
            return isLeader() ? Optional.of(lease) : Optional.empty();
        }

        @Override
        public synchronized void close() {
            stopped = true;
            leaders.remove(this);
            if (lease != null) {
                Lease given = lease;
                lease = null;
                try {
                    leaderLeases.release(given);
                } finally {
                    listener.lost(given);
                }
            }
        }
    }
}
