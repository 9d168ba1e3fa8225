package dev.claw4j.bench;

import dev.claw4j.core.sandbox.ExecResult;
import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxExit;
import dev.claw4j.core.sandbox.SandboxRuntime;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.core.sandbox.SandboxUsage;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real runtime, watched from inside the host process without touching production code: it notes when
 * the host wrote a {@code turn.start} line to an agent's stdin and when it read a {@code turn.done} line from
 * its stdout (per group, in order), how many sandboxes were started and how many ran at once.
 */
final class TimedRuntime implements SandboxRuntime {
    private final SandboxRuntime real;
    final AtomicInteger starts = new AtomicInteger();
    private final AtomicInteger live = new AtomicInteger();
    final AtomicInteger mostLive = new AtomicInteger();
    final Map<String, List<Instant>> turnStartWritten = new ConcurrentHashMap<>();
    final Map<String, List<Instant>> turnDoneRead = new ConcurrentHashMap<>();
    /** CPU ns of each sandbox from its creation to its agent's ready line: its container cgroup, its shim. */
    final List<Long> startCpu = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<Long> startShimCpu = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Wall ns of each start, from asking the runtime to its agent's ready line read. */
    final List<Long> startWall = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** CPU ns of each sandbox's container cgroup over its whole life (start, turns, idle), read as it is stopped. */
    final List<Long> lifeCpu = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.function.UnaryOperator<String> containerIds;

    TimedRuntime(SandboxRuntime real) {
        this(real, null);
    }

    /** @param containerIds a sandbox's name to its container id, to read its CPU (null: no CPU figures) */
    TimedRuntime(SandboxRuntime real, java.util.function.UnaryOperator<String> containerIds) {
        this.real = real;
        this.containerIds = containerIds;
    }

    @Override
    public Isolation isolation() {
        return real.isolation();
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        long asked = System.nanoTime();
        Sandbox s = real.start(spec);
        starts.incrementAndGet();
        mostLive.accumulateAndGet(live.incrementAndGet(), Math::max);
        String id = null;
        if (containerIds != null) {
            try {
                id = containerIds.apply(s.name());
            } catch (RuntimeException e) {
                // gone already: no CPU figure for this one
            }
        }
        return new Timed(s, id, asked);
    }

    @Override
    public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
        return real.exec(spec, command, timeout, maxOutputBytes);
    }

    @Override
    public Optional<SandboxUsage> usage(String sandboxName) {
        return real.usage(sandboxName);
    }

    @Override
    public int removeOrphans() {
        return real.removeOrphans();
    }

    @Override
    public void close() {
        real.close();
    }

    private static void note(Map<String, List<Instant>> map, String group, Instant at) {
        List<Instant> list = map.computeIfAbsent(group, g -> new ArrayList<>());
        synchronized (list) {
            list.add(at);
        }
    }

    /** A copy of one group's list, in order. */
    static List<Instant> of(Map<String, List<Instant>> map, String group) {
        List<Instant> list = map.getOrDefault(group, List.of());
        synchronized (list) {
            return List.copyOf(list);
        }
    }

    private final class Timed implements Sandbox {
        private final Sandbox s;
        private final OutputStream in;
        private final InputStream out;
        private boolean stopped;
        private final String containerId;
        private boolean ready;
        private boolean cpuRead;

        Timed(Sandbox s, String containerId, long asked) {
            this.s = s;
            this.containerId = containerId;
            String group = s.groupId();
            OutputStream toAgent = s.stdin();
            this.in = new FilterOutputStream(toAgent) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    toAgent.write(b, off, len);
                    // one whole line per write (AgentChannel.send): noted once it is handed to the sandbox
                    if (new String(b, off, len, StandardCharsets.ISO_8859_1).contains("\"turn.start\"")) {
                        note(turnStartWritten, group, Instant.now());
                    }
                }
            };
            this.out = new FilterInputStream(s.stdout()) {
                private String tail = "";

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    if (n > 0) {
                        String seen = tail + new String(b, off, n, StandardCharsets.ISO_8859_1);
                        if (!ready && seen.contains("\"ready\"")) {
                            ready = true;
                            startWall.add(System.nanoTime() - asked);
                        }
                        if (ready && !cpuRead && containerId != null) {
                            cpuRead = true;
                            long cpu = CpuProbe.container(containerId);
                            if (cpu >= 0) {
                                startCpu.add(cpu);
                            }
                            CpuProbe.shimOf(containerId).ifPresent(pid -> {
                                long shim = CpuProbe.process(pid, true);
                                if (shim >= 0) {
                                    startShimCpu.add(shim);
                                }
                            });
                        }
                        if (seen.contains("\"turn.done\"")) {
                            note(turnDoneRead, group, Instant.now());
                            tail = "";
                        } else {
                            tail = seen.substring(Math.max(0, seen.length() - 16));
                        }
                    }
                    return n;
                }
            };
        }

        @Override
        public String groupId() {
            return s.groupId();
        }

        @Override
        public String name() {
            return s.name();
        }

        @Override
        public OutputStream stdin() {
            return in;
        }

        @Override
        public InputStream stdout() {
            return out;
        }

        @Override
        public CompletableFuture<SandboxExit> exit() {
            return s.exit();
        }

        @Override
        public byte[] readFile(String path, int maxBytes) {
            return s.readFile(path, maxBytes);
        }

        @Override
        public void stop(Duration grace) {
            synchronized (this) {
                if (!stopped) {
                    stopped = true;
                    live.decrementAndGet();
                    long cpu = containerId == null ? -1 : CpuProbe.container(containerId);
                    if (cpu >= 0) {
                        lifeCpu.add(cpu);
                    }
                }
            }
            s.stop(grace);
        }
    }
}
