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
 * groups waiting for a slot are served first come, first served, and a warm idle sandbox is stopped to make
 * room before anyone waits. A message for a group whose turn is running is handed to that turn.
 * Turns run on virtual threads.
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

    private static final class Group {
        final String id;
        boolean running;
        boolean wantsRun;
        boolean ownsSlot;
        Instant idleSince = Instant.EPOCH;
        LongPredicate followUps;
        /** System.nanoTime() of the first message waiting for this group's next turn, 0 when none waits. */
        long queuedSince;

        Group(String id) {
            this.id = id;
        }
    }

    private final int maxSandboxes;
    private final Duration idleTimeout;
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
        this(maxSandboxes, idleTimeout, stopSandbox, runner, clock, Metrics.none());
    }

    public GroupQueue(int maxSandboxes, Duration idleTimeout, Consumer<String> stopSandbox, TurnRunner runner,
                      Clock clock, Metrics metrics) {
        this.metrics = metrics;
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

    public synchronized List<String> waitingGroups() {
        return waiting.stream().map(g -> g.id).toList();
    }

    private void schedule(Group g) {
        if (g.running) {
            return;
        }
        if (g.ownsSlot) {
            start(g, null);
        } else if (slotsUsed < maxSandboxes) {
            slotsUsed++;
            g.ownsSlot = true;
            start(g, null);
        } else {
            Group victim = groups.values().stream()
                    .filter(o -> o.ownsSlot && !o.running && !o.wantsRun)
                    .min(Comparator.comparing(o -> o.idleSince)).orElse(null);
            if (victim != null) {
                victim.ownsSlot = false;
                g.ownsSlot = true;
                start(g, victim.id);
            } else if (!waiting.contains(g)) {
                waiting.addLast(g);
            }
        }
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
        g.idleSince = clock.instant();
        if (closed) {
            return;
        }
        if (g.wantsRun && waiting.isEmpty()) {
            schedule(g);
        } else if (g.ownsSlot && !waiting.isEmpty()) {
            // fairness: a group with more work goes to the back of the line rather than keep its slot
            Group next = waiting.pollFirst();
            g.ownsSlot = false;
            next.ownsSlot = true;
            if (g.wantsRun) {
                waiting.addLast(g);
            }
            start(next, g.id);
        } else if (g.wantsRun) {
            schedule(g);
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
            Group next = waiting.pollFirst();
            slotsUsed++;
            next.ownsSlot = true;
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
