package dev.claw4j.app.console;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.host.Host;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxManager;
import dev.claw4j.core.sandbox.SandboxRuntime;
import dev.claw4j.core.sandbox.SandboxUsage;
import dev.claw4j.core.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The console's view of the real host, made in {@code Claw4j}. Memory and CPU in use come from the sandbox
 * runtime (Docker's stats), read off the request path at most every {@link #STATS_EVERY} per sandbox, and only
 * while someone looks at the overview.
 */
public final class LiveHost implements HostView {
    static final String NO_STATS = "not available from the sandbox runtime";
    static final Duration STATS_EVERY = Duration.ofSeconds(5);

    private final Store store;
    private final Host host;
    private final SandboxManager sandboxes;
    private final SandboxRuntime runtime;
    private final GroupQueue queue;
    private final GroupFolders folders;
    private final Supplier<Map<String, Connector>> connectors;
    private final Set<String> configured;
    private final SandboxLimits limits;
    private final int maxSandboxes;
    private final Clock clock;
    /** When the console first saw each sandbox (by container name): its age, to within the page's refresh. */
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();
    /** The last stats reading of each sandbox (usage null: the runtime could not say), and those being read. */
    private final Map<String, Reading> readings = new ConcurrentHashMap<>();
    private final Set<String> measuring = ConcurrentHashMap.newKeySet();

    private record Reading(SandboxUsage usage, Instant at) {}

    /**
     * @param connectors the connectors running now (one that failed to start is not among them)
     * @param configured every connector the host was given, running or not
     */
    public LiveHost(Store store, Host host, SandboxManager sandboxes, SandboxRuntime runtime, GroupQueue queue,
                    GroupFolders folders,
                    Supplier<Map<String, Connector>> connectors, Set<String> configured, SandboxLimits limits,
                    int maxSandboxes, Clock clock) {
        this.store = store;
        this.host = host;
        this.sandboxes = sandboxes;
        this.runtime = runtime;
        this.queue = queue;
        this.folders = folders;
        this.connectors = connectors;
        this.configured = Set.copyOf(configured);
        this.limits = limits;
        this.maxSandboxes = maxSandboxes;
        this.clock = clock;
    }

    @Override
    public List<ConnectorState> connectors() {
        Map<String, Connector> up = connectors.get();
        return configured.stream().sorted().map(p -> new ConnectorState(p, up.containsKey(p),
                store.messages().lastInbound(p).orElse(null))).toList();
    }

    @Override
    public List<SandboxState> sandboxes() {
        List<SandboxState> out = new ArrayList<>();
        Instant now = clock.instant();
        String isolation = sandboxes.isolation().describe();
        String limit = (limits.memoryBytes() >> 20) + " MiB, " + limits.cpus() + " CPU, " + limits.pids() + " pids";
        Set<String> names = ConcurrentHashMap.newKeySet();
        for (String g : sandboxes.liveGroups()) {
            SandboxManager.Live live = sandboxes.live(g);
            if (live == null) {
                continue;
            }
            String name = live.sandbox().name();
            names.add(name);
            out.add(new SandboxState(g, name, isolation, firstSeen.computeIfAbsent(name, n -> now), limit,
                    usage(name, now)));
        }
        firstSeen.keySet().retainAll(names);
        readings.keySet().retainAll(names);
        return out;
    }

    /** The last reading, and a new one started in the background when it is due. */
    private String usage(String name, Instant now) {
        Reading r = readings.get(name);
        if ((r == null || r.at().isBefore(now.minus(STATS_EVERY))) && measuring.add(name)) {
            Thread.ofVirtual().name("console-stats").start(() -> {
                try {
                    readings.put(name, new Reading(runtime.usage(name).orElse(null), clock.instant()));
                } finally {
                    measuring.remove(name);
                }
            });
        }
        if (r == null) {
            return "measuring…";
        }
        if (r.usage() == null) {
            return NO_STATS;
        }
        return String.format(java.util.Locale.ROOT, "%.1f MiB, %.1f%% CPU", r.usage().memoryBytes() / 1048576.0,
                r.usage().cpuPercent());
    }

    @Override
    public QueueState queue() {
        return new QueueState(queue.slotsUsed(), maxSandboxes, queue.waitingGroups());
    }

    @Override
    public boolean hasSandbox(String groupId) {
        return sandboxes.hasLive(groupId);
    }

    @Override
    public boolean stopSandbox(String groupId) {
        if (!sandboxes.hasLive(groupId)) {
            return false;
        }
        sandboxes.discard(groupId);
        store.audit().record(groupId, "sandbox.stopped", "by " + "the console", sandboxes.isolation().describe());
        return true;
    }

    @Override
    public boolean resetConversation(String groupId, String by) {
        if (!folders.resetSession(groupId)) {
            return false;
        }
        store.sessions().sessionReset(groupId);
        store.audit().record(groupId, "session.reset", "by " + by, sandboxes.isolation().describe());
        return true;
    }

    @Override
    public boolean pause(String groupId, String by) {
        return host.pause(groupId, by);
    }

    @Override
    public boolean resume(String groupId, String by) {
        return host.resume(groupId, by);
    }

    @Override
    public boolean isPaused(String groupId) {
        return host.isPaused(groupId);
    }
}
