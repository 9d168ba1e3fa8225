package dev.claw4j.core.sandbox;

import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each group's sandbox warm between turns: starts it on demand (and waits for the agent's
 * {@code ready}), hands it out again while it lives, and stops it when told. Which sandboxes may live is
 * the {@link dev.claw4j.core.queue.GroupQueue}'s decision, not this class's.
 *
 * <p>Every sandbox has a {@link Watchdog} from its start to its end, on its own timer, during turns and
 * between them. When it trips, the sandbox is stopped at once and {@code sandbox.killed} is audited with the
 * reason; a turn waiting on it sees its channel close and finds the reason in {@link Live#killedFor()}.
 */
public final class SandboxManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxManager.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    /** How long {@link #close()} waits for starts under way to give up (their sandboxes are stopped at once). */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(15);

    /** Where this class writes its audit records (refused lines, killed sandboxes). */
    @FunctionalInterface
    public interface Audit {
        void record(String groupId, String kind, String detail);
    }

    /** A started sandbox, the host's end of its stdio, and its watchdog. */
    public record Live(Sandbox sandbox, AgentChannel channel, Watchdog watchdog) {
        public boolean alive() {
            return !sandbox.exit().isDone();
        }

        /** Why the watchdog stopped this sandbox ("it " + this reads as a sentence), or null. */
        public String killedFor() {
            return watchdog.tripped();
        }
    }

    private final SandboxRuntime runtime;
    private final Function<String, SandboxSpec> specs;
    private final Function<String, LongSupplier> folderSizes;
    private final Watchdog.Limits limits;
    private final Audit audit;
    private final Map<String, Live> live = new ConcurrentHashMap<>();
    private final Metrics metrics;
    private final AtomicInteger starting = new AtomicInteger();
    // starts under way (guarded by this): a stop must wait for them, or a sandbox whose start it raced outlives it
    private final Set<Sandbox> underWay = new HashSet<>();
    private int startsInFlight;
    private boolean closed;
    // the runtime stopped answering (a Docker restart, say): logged once when it goes and once when it is back
    private final java.util.concurrent.atomic.AtomicBoolean runtimeDown = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * @param folderSizes for a group, what measures the bytes in its folder (for the quota)
     * @param limits      what the watchdog allows every sandbox
     */
    public SandboxManager(SandboxRuntime runtime, Function<String, SandboxSpec> specs,
                          Function<String, LongSupplier> folderSizes, Watchdog.Limits limits, Audit audit) {
        this(runtime, specs, folderSizes, limits, audit, Metrics.none());
    }

    /** The same, counting starts, watchdog stops and refused lines into {@code metrics}. */
    public SandboxManager(SandboxRuntime runtime, Function<String, SandboxSpec> specs,
                          Function<String, LongSupplier> folderSizes, Watchdog.Limits limits, Audit audit,
                          Metrics metrics) {
        this.metrics = metrics;
        // a sandbox that died between turns stays in the map until its group's next turn; it is not live
        metrics.sandboxGauges(() -> (int) live.values().stream().filter(Live::alive).count(), starting::get);
        this.runtime = runtime;
        this.specs = specs;
        this.folderSizes = folderSizes;
        this.limits = limits;
        this.audit = audit;
    }

    public Isolation isolation() {
        return runtime.isolation();
    }

    /** The group's running sandbox, started now if it has none (or its last one died). */
    public Live acquire(String groupId) {
        Live current = live.get(groupId);
        if (current != null && current.alive()) {
            return current;
        }
        if (current != null) {
            discard(groupId);
        }
        synchronized (this) {
            if (closed) {
                throw new SandboxException("the host is stopping; the sandbox of " + groupId + " is not started");
            }
            startsInFlight++;
        }
        long startedAt = System.nanoTime();
        starting.incrementAndGet();
        boolean ready = false;
        try {
            Live started = start(groupId);
            ready = true;
            return started;
        } finally {
            starting.decrementAndGet();
            metrics.sandboxStart(Duration.ofNanos(System.nanoTime() - startedAt), ready);
            synchronized (this) {
                startsInFlight--;
                notifyAll();
            }
        }
    }

    private Live start(String groupId) {
        // the folder is measured before the sandbox runs: an agent that fills it in its first second must not
        // have that counted as where it started
        LongSupplier folderSize = folderSizes.apply(groupId);
        long sizeAtStart = measure(groupId, folderSize);
        Sandbox sandbox = runtime.start(specs.apply(groupId));
        synchronized (this) {
            if (closed) { // the stop came while Docker was starting it
                sandbox.stop(Duration.ZERO);
                throw new SandboxException("the host is stopping; the sandbox of " + groupId + " is stopped again");
            }
            underWay.add(sandbox);
        }
        RefusalAudit refusals = new RefusalAudit(groupId, audit, limits.auditedRefusals(), limits.window());
        AgentChannel channel = new AgentChannel(sandbox, error -> {
            metrics.refused(RefusalAudit.KIND);
            refusals.refused(error);
        });
        Watchdog watchdog = new Watchdog(groupId, channel, folderSize, sizeAtStart, limits, refusals);
        Live started = new Live(sandbox, channel, watchdog);
        sandbox.exit().whenComplete((exit, error) -> watchdog.close());
        watchdog.start(reason -> kill(started, reason));
        try {
            awaitReady(groupId, sandbox, channel, watchdog);
        } finally {
            synchronized (this) {
                underWay.remove(sandbox);
            }
        }
        synchronized (this) {
            if (closed) { // the stop came while the agent was getting ready
                discardStarted(started);
                throw new SandboxException("the host is stopping; the sandbox of " + groupId + " is stopped again");
            }
            live.put(groupId, started);
        }
        log.info("[{}] sandbox {} ready ({})", groupId, sandbox.name(), runtime.isolation().describe());
        if (runtimeDown.compareAndSet(true, false)) {
            log.info("[{}] the sandbox runtime answers again; sandboxes start again", groupId);
        }
        return started;
    }

    private void awaitReady(String groupId, Sandbox sandbox, AgentChannel channel, Watchdog watchdog) {
        try {
            AgentMessage first = channel.receive(READY_TIMEOUT);
            if (!(first instanceof AgentMessage.Ready)) {
                watchdog.close();
                sandbox.stop(Duration.ZERO);
                String exit = watchdog.tripped() != null ? " (it " + watchdog.tripped() + ")"
                        : sandbox.exit().isDone() ? " (" + sandbox.exit().join().describe() + ")" : "";
                throw new SandboxException("the agent in the sandbox of " + groupId + " did not get ready" + exit
                        + "; see the host log for its output, and run ./claw4j doctor");
            }
        } catch (InterruptedException e) {
            watchdog.close();
            sandbox.stop(Duration.ZERO);
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while starting the sandbox of " + groupId);
        }
    }

    /**
     * Asks the runtime whether it answers, after {@code failure} (a start that failed, a sandbox that died): false
     * means the runtime itself is gone (the Docker daemon stopped or restarting), not the group's sandbox. Logged once
     * per outage, with the group that found it.
     */
    public boolean runtimeReachable(String groupId, String failure) {
        if (runtime.reachable()) {
            return true;
        }
        if (runtimeDown.compareAndSet(false, true)) {
            log.warn("[{}] the sandbox runtime is unreachable ({}); turns keep their messages and wait until it "
                    + "answers again", groupId, failure);
        }
        return false;
    }

    /** True once {@link #close()} began: the host is stopping, and no sandbox starts any more. */
    public synchronized boolean closed() {
        return closed;
    }

    /**
     * Runs a one-off command in a sandbox built exactly like the group's (its folder, its limits), beside the warm
     * one if any; for a scheduled task's check.
     */
    public ExecResult exec(String groupId, java.util.List<String> command, Duration timeout, int maxOutputBytes) {
        return runtime.exec(specs.apply(groupId), command, timeout, maxOutputBytes);
    }

    /** The group's running sandbox, or null. */
    public Live live(String groupId) {
        Live l = live.get(groupId);
        return l != null && l.alive() ? l : null;
    }

    public boolean hasLive(String groupId) {
        Live l = live.get(groupId);
        return l != null && l.alive();
    }

    /** Stops and forgets the group's sandbox, if it has one. Its folder stays. */
    public void discard(String groupId) {
        Live l = live.remove(groupId);
        if (l != null) {
            l.channel().send(new HostMessage.Shutdown("stopping"));
            l.channel().close();
            l.watchdog().close();
            l.sandbox().stop(Duration.ofSeconds(1));
        }
    }

    /** The watchdog tripped: the sandbox stops now, without the courtesy of a shutdown line it may not read. */
    private void kill(Live l, String reason) {
        String groupId = l.sandbox().groupId();
        log.warn("[{}] stopping sandbox {}: it {}", groupId, l.sandbox().name(), reason);
        audit.record(groupId, "sandbox.killed", reason);
        metrics.watchdogStop(reason);
        live.remove(groupId, l);
        l.channel().close();
        l.sandbox().stop(Duration.ZERO);
    }

    /** The groups that have a running sandbox now, sorted (the operator's console lists them). */
    public List<String> liveGroups() {
        return live.entrySet().stream().filter(e -> e.getValue().alive()).map(Map.Entry::getKey).sorted().toList();
    }

    public int liveCount() {
        return live.size();
    }

    @Override
    public void close() {
        List<Sandbox> stopping;
        synchronized (this) {
            closed = true;
            stopping = List.copyOf(underWay);
        }
        // a start waiting for its agent's ready line sees its channel close and gives up
        stopping.forEach(s -> s.stop(Duration.ZERO));
        live.keySet().forEach(this::discard);
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        synchronized (this) {
            while (startsInFlight > 0 && System.nanoTime() < deadline) {
                try {
                    wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            if (startsInFlight > 0) {
                log.warn("{} sandbox start(s) still under way after {} s; the install's leftover sweep removes them",
                        startsInFlight, CLOSE_WAIT.toSeconds());
            }
        }
        live.keySet().forEach(this::discard);
    }

    private void discardStarted(Live l) {
        l.channel().close();
        l.watchdog().close();
        l.sandbox().stop(Duration.ZERO);
    }

    private static long measure(String groupId, LongSupplier folderSize) {
        try {
            return folderSize.getAsLong();
        } catch (RuntimeException e) {
            log.warn("[{}] could not measure the group folder before its sandbox started: {}", groupId, e.getMessage());
            return Long.MAX_VALUE; // then the first measurement in its life is the baseline, as before
        }
    }
}
