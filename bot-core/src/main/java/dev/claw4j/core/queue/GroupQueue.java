package dev.claw4j.core.queue;

import dev.claw4j.core.cluster.Fence;
import dev.claw4j.core.cluster.FencedOutException;
import dev.claw4j.core.metrics.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Decides which group's agent works when. At most one turn per group at a time; at most
 * {@code maxSandboxes} sandboxes host-wide, each held by one group as a "slot" while it runs or idles warm;
 * groups waiting for a slot are served first come, first served. A message for a group whose turn is running
 * is handed to that turn. Turns run on virtual threads.
 *
 * <p>Eviction (who gives up a slot when a group waits), with {@link Eviction#grace()} G and
 * {@link Eviction#maxHold()} H:
 * <ul>
 *   <li>A group keeps its slot (and its warm sandbox) for G after each of its turns ends: a message arriving
 *       within G runs at once on the same sandbox, even while others wait. A conversation's next message usually
 *       comes within seconds, and a cold start costs more than the wait it saves a waiting group.</li>
 *   <li>A waiting group takes over the slot of the least recently used idle sandbox whose holder is past its
 *       grace, or has held its slot for H or more (counted from when it got the slot); that sandbox is stopped
 *       first. A running turn is never cut short: a holder past H yields at the end of its turn, and if it has
 *       more work it goes to the back of the line. So a waiter waits at most about H plus one turn for the
 *       first slot to come free, however busy the holders are.</li>
 *   <li>With nobody waiting, nothing is evicted: an idle sandbox lives until {@code idleTimeout}.</li>
 * </ul>
 * G = 0 is the old rule: a slot goes to a waiting group at the end of every turn (and under load every
 * message pays a cold start).
 */
public final class GroupQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GroupQueue.class);

    /** Runs one turn of a group; blocking. */
    public interface TurnRunner {
        void runTurn(String groupId, Turn turn);
    }

    /** What a running turn may tell the queue. */
    public interface Turn {
        /** From now on, messages for this group go to {@code acceptor}; it returns false to refuse one. */
        void acceptFollowUps(LongPredicate acceptor);

        /** No more follow-ups: messages arriving from now on wait for the next turn. */
        void stopFollowUps();

        /** This group has work left: run another turn after this one. */
        void again();

        /** The group's lease this turn runs under; its writes carry it. Null when the host shares its store with no one. */
        default Fence fence() {
            return null;
        }
    }

    /**
     * Among several hosts: before each turn, the group's lease (taken when free or expired). Empty when another host
     * holds the group: the turn is not run here (that host runs it).
     */
    public interface Gate {
        Optional<Fence> hold(String groupId);
    }

    /**
     * The eviction rule's two durations (see the class comment).
     *
     * @param grace   how long a group keeps its idle sandbox after a turn while others wait (0: not at all)
     * @param maxHold how long a group may keep its slot, from when it got it, while others wait
     */
    public record Eviction(Duration grace, Duration maxHold) {
        /** The old rule: a waiting group gets the slot at the end of any turn. */
        public static final Eviction NONE = new Eviction(Duration.ZERO, Duration.ZERO);

        public Eviction {
            if (grace.isNegative() || maxHold.isNegative()) {
                throw new IllegalArgumentException("sandbox.evictionGrace and sandbox.maxHold must not be negative");
            }
        }
    }

    private static final class Group {
        final String id;
        boolean running;
        boolean wantsRun;
        boolean ownsSlot;
        Instant idleSince = Instant.EPOCH;
        /** When it got the slot it holds (for {@link Eviction#maxHold()}). */
        Instant slotSince = Instant.EPOCH;
        LongPredicate followUps;
        /** System.nanoTime() of the first message waiting for this group's next turn, 0 when none waits. */
        long queuedSince;

        Group(String id) {
            this.id = id;
        }
    }

    private final int maxSandboxes;
    private final Duration idleTimeout;
    private final Eviction eviction;
    private final Consumer<String> stopSandbox;
    private final TurnRunner runner;
    private final Clock clock;
    private final Metrics metrics;
    private final Map<String, Group> groups = new HashMap<>();
    private final ArrayDeque<Group> waiting = new ArrayDeque<>();
    private final ScheduledExecutorService reaper;
    private int slotsUsed;
    private boolean closed;
    private volatile Gate gate;

    /**
     * @param stopSandbox stops a group's sandbox and returns when it is gone (blocking)
     */
    public GroupQueue(int maxSandboxes, Duration idleTimeout, Consumer<String> stopSandbox, TurnRunner runner,
                      Clock clock) {
        this(maxSandboxes, idleTimeout, Eviction.NONE, stopSandbox, runner, clock, Metrics.none());
    }

    public GroupQueue(int maxSandboxes, Duration idleTimeout, Consumer<String> stopSandbox, TurnRunner runner,
                      Clock clock, Metrics metrics) {
        this(maxSandboxes, idleTimeout, Eviction.NONE, stopSandbox, runner, clock, metrics);
    }

    public GroupQueue(int maxSandboxes, Duration idleTimeout, Eviction eviction, Consumer<String> stopSandbox,
                      TurnRunner runner, Clock clock, Metrics metrics) {
        this.metrics = metrics;
        this.eviction = eviction;
        if (maxSandboxes < 1) {
            throw new IllegalArgumentException("sandbox.maxSandboxes must be at least 1");
        }
        this.maxSandboxes = maxSandboxes;
        this.idleTimeout = idleTimeout;
        this.stopSandbox = stopSandbox;
        this.runner = runner;
        this.clock = clock;
        this.reaper = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("idle-reaper").factory());
        long period = Math.max(100, Math.min(1000, idleTimeout.toMillis() / 4));
        reaper.scheduleWithFixedDelay(this::stopIdle, period, period, TimeUnit.MILLISECONDS);
    }

    /** Runs a group's turns only under its lease (hosts sharing one database). Call it while wiring. */
    public GroupQueue withGate(Gate gate) {
        this.gate = gate;
        return this;
    }

    /** The group has a new message (or, with id 0, may have work left from before a restart). */
    public synchronized void submit(String groupId, long messageId) {
        if (closed) {
            return;
        }
        Group g = groups.computeIfAbsent(groupId, Group::new);
        if (g.running && messageId > 0 && g.followUps != null && g.followUps.test(messageId)) {
            return; // taken into the running turn: it waited for nothing
        }
        if (g.queuedSince == 0) {
            g.queuedSince = System.nanoTime();
        }
        if (g.running) {
            g.wantsRun = true;
            return;
        }
        g.wantsRun = true;
        schedule(g);
    }

    /** Sandboxes held now (running or warm), for metrics and tests. */
    public synchronized int slotsUsed() {
        return slotsUsed;
    }

    /** Turns running now, for tests. */
    synchronized int runningTurns() {
        return (int) groups.values().stream().filter(g -> g.running).count();
    }

    /** Groups the queue keeps state for (holding a slot, running or waiting), for tests. */
    synchronized int knownGroups() {
        return groups.size();
    }

    public synchronized List<String> waitingGroups() {
        return waiting.stream().map(g -> g.id).toList();
    }

    private void schedule(Group g) {
        if (g.running) {
            return;
        }
        Instant now = clock.instant();
        if (g.ownsSlot) {
            if (!waiting.isEmpty() && mustYield(g, now)) {
                // past its grace or its hold: the group at the head of the line goes first, this one goes last
                waiting.addLast(g);
                handOver(g, waiting.peekFirst());
            } else {
                start(g, null);
            }
        } else if (slotsUsed < maxSandboxes) {
            slotsUsed++;
            takeSlot(g, now);
            start(g, null);
        } else {
            Group victim = victim(now);
            if (victim != null) {
                handOver(victim, g);
            } else if (!waiting.contains(g)) {
                waiting.addLast(g);
                wakeForNextDeadline(now);
            }
        }
    }

    /** Whether a holder must give its slot to a waiting group now (it is idle, or its turn just ended). */
    private boolean mustYield(Group g, Instant now) {
        return !now.isBefore(g.idleSince.plus(eviction.grace())) || !now.isBefore(g.slotSince.plus(eviction.maxHold()));
    }

    /** The least recently used idle holder that must yield now, or null. */
    private Group victim(Instant now) {
        return groups.values().stream()
                .filter(o -> o.ownsSlot && !o.running && !o.wantsRun && mustYield(o, now))
                .min(Comparator.comparing(o -> o.idleSince)).orElse(null);
    }

    private void takeSlot(Group g, Instant now) {
        g.ownsSlot = true;
        g.slotSince = now;
    }

    /** {@code to} takes {@code from}'s slot; {@code from}'s sandbox is stopped before {@code to}'s turn starts. */
    private void handOver(Group from, Group to) {
        from.ownsSlot = false;
        takeSlot(to, clock.instant());
        log.debug("[{}] takes the sandbox slot of {}", to.id, from.id);
        start(to, from.id);
        forgetIfIdle(from);
    }

    /** A group that holds nothing and wants nothing is dropped, so 1,000 chats seen leave no state behind. */
    private void forgetIfIdle(Group g) {
        if (!g.ownsSlot && !g.running && !g.wantsRun && g.queuedSince == 0 && !waiting.contains(g)) {
            groups.remove(g.id, g);
        }
    }

    /**
     * Hands idle slots to waiting groups as graces and holds run out; called when one may have, and by tests
     * that move the clock.
     */
    synchronized void handOverExpired() {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        while (!waiting.isEmpty()) {
            Group victim = victim(now);
            if (victim == null) {
                wakeForNextDeadline(now);
                return;
            }
            handOver(victim, waiting.peekFirst());
        }
    }

    /** While groups wait, looks again when the first idle holder's grace or hold runs out. */
    private void wakeForNextDeadline(Instant now) {
        if (waiting.isEmpty() || closed) {
            return;
        }
        Instant next = null;
        for (Group o : groups.values()) {
            if (o.ownsSlot && !o.running && !o.wantsRun) {
                Instant due = min(o.idleSince.plus(eviction.grace()), o.slotSince.plus(eviction.maxHold()));
                next = next == null ? due : min(next, due);
            }
        }
        if (next != null) {
            long delay = Math.max(1, Duration.between(now, next).toMillis() + 1);
            try {
                reaper.schedule(this::handOverExpired, delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // closing
            }
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Runs the group's turn; first stops the sandbox whose slot it takes over, so the cap always holds. */
    private void start(Group g, String evicted) {
        g.running = true;
        g.wantsRun = false;
        long queuedSince = g.queuedSince;
        g.queuedSince = 0;
        waiting.remove(g);
        Thread.ofVirtual().name("turn-" + g.id).start(() -> {
            MDC.put("group", g.id);
            boolean elsewhere = false;
            try {
                Fence fence = null;
                if (gate != null) {
                    fence = gate.hold(g.id).orElse(null);
                    elsewhere = fence == null;
                }
                if (evicted != null) {
                    stopSandbox.accept(evicted);
                }
                if (elsewhere) {
                    // another host holds the group and runs its turn: the slot goes back at once
                    log.debug("[{}] another host holds the group; its turn runs there", g.id);
                    synchronized (GroupQueue.this) {
                        g.ownsSlot = false;
                    }
                    return;
                }
                if (queuedSince != 0) {
                    metrics.queueWait(Duration.ofNanos(System.nanoTime() - queuedSince));
                }
                Fence turnFence = fence;
                runner.runTurn(g.id, new Turn() {
                    @Override
                    public Fence fence() {
                        return turnFence;
                    }

                    @Override
                    public void acceptFollowUps(LongPredicate acceptor) {
                        synchronized (GroupQueue.this) {
                            g.followUps = acceptor;
                        }
                    }

                    @Override
                    public void stopFollowUps() {
                        synchronized (GroupQueue.this) {
                            g.followUps = null;
                        }
                    }

                    @Override
                    public void again() {
                        synchronized (GroupQueue.this) {
                            g.wantsRun = true;
                        }
                    }
                });
            } catch (FencedOutException e) {
                // another host took the group over mid-turn: it runs the messages again, this host lets go
                log.warn("[{}] turn abandoned: {}", g.id, e.getMessage());
            } catch (RuntimeException e) {
                log.error("[{}] turn failed", g.id, e);
            } finally {
                turnEnded(g);
                if (elsewhere) {
                    slotFreed();
                }
                MDC.remove("group");
            }
        });
    }

    private synchronized void turnEnded(Group g) {
        g.running = false;
        g.followUps = null;
        Instant now = clock.instant();
        g.idleSince = now;
        if (closed) {
            return;
        }
        if (g.wantsRun) {
            schedule(g); // runs again at once, or yields to the head of the line and queues behind it
        } else if (!waiting.isEmpty() && mustYield(g, now)) {
            handOver(g, waiting.peekFirst());
        } else {
            wakeForNextDeadline(now);
        }
    }

    private void stopIdle() {
        List<Group> expired;
        synchronized (this) {
            Instant cutoff = clock.instant().minus(idleTimeout);
            expired = groups.values().stream()
                    .filter(g -> g.ownsSlot && !g.running && !g.wantsRun && g.idleSince.isBefore(cutoff))
                    .toList();
            expired.forEach(g -> g.ownsSlot = false); // still counted in slotsUsed until it is gone
            expired.forEach(this::forgetIfIdle);
        }
        for (Group g : expired) {
            Thread.ofVirtual().start(() -> {
                try {
                    stopSandbox.accept(g.id);
                    log.info("[{}] stopped its idle sandbox after {}", g.id, idleTimeout);
                } finally {
                    slotFreed();
                }
            });
        }
    }

    private synchronized void slotFreed() {
        slotsUsed--;
        while (!closed && slotsUsed < maxSandboxes && !waiting.isEmpty()) {
            Group next = waiting.peekFirst();
            slotsUsed++;
            takeSlot(next, clock.instant());
            start(next, null);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        reaper.shutdownNow();
    }
}
