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
    /** For the cold-reply bench: when {@code start} was called and returned, and the agent's first lines. */
    final Map<String, List<Instant>> startCalled = new ConcurrentHashMap<>();
    final Map<String, List<Instant>> startReturned = new ConcurrentHashMap<>();
    final Map<String, List<Instant>> readyRead = new ConcurrentHashMap<>();
    final Map<String, List<Instant>> llmRequestRead = new ConcurrentHashMap<>();
    final Map<String, List<Instant>> llmResponseWritten = new ConcurrentHashMap<>();
    private final Map<String, String> lastStarted = new ConcurrentHashMap<>();
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
        note(startCalled, spec.groupId(), Instant.now());
        long asked = System.nanoTime();
        Sandbox s = real.start(spec);
        note(startReturned, spec.groupId(), Instant.now());
        lastStarted.put(spec.groupId(), s.name());
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

    /** The name of the sandbox last started for a group. */
    String lastStartedName(String group) {
        String name = lastStarted.get(group);
        if (name == null) {
            throw new IllegalStateException("no sandbox was started for group " + group);
        }
        return name;
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
    public int removeOrphans(java.util.Set<String> goneHostsOnThisMachine) {
        return real.removeOrphans(goneHostsOnThisMachine);
    }

    @Override
    public boolean reachable() {
        return real.reachable();
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
                    String line = new String(b, off, Math.min(len, 64), StandardCharsets.ISO_8859_1);
                    if (line.contains("\"turn.start\"")) {
                        note(turnStartWritten, group, Instant.now());
                    } else if (line.contains("\"llm.response\"")) {
                        note(llmResponseWritten, group, Instant.now());
                    }
                }
            };
            this.out = new FilterInputStream(s.stdout()) {
                // the start of the line being read: its type is in its first few dozen bytes
                private final StringBuilder head = new StringBuilder();
                private boolean typed;

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    int n = super.read(b, off, len);
                    for (int i = off; i < off + n; i++) {
                        if (b[i] == '\n') {
                            noteType();
                            head.setLength(0);
                            typed = false;
                        } else if (!typed) {
                            head.append((char) (b[i] & 0xff));
                            if (head.length() >= 48) {
                                noteType();
                            }
                        }
                    }
                    return n;
                }

                private void noteType() {
                    if (typed) {
                        return;
                    }
                    typed = true;
                    Instant now = Instant.now();
                    String h = head.toString();
                    if (h.contains("\"turn.done\"")) {
                        note(turnDoneRead, group, now);
                    } else if (h.contains("\"llm.request\"")) {
                        note(llmRequestRead, group, now);
                    } else if (h.contains("\"ready\"")) {
                        note(readyRead, group, now);
                        startWall.add(System.nanoTime() - asked);
                        readStartCpu();
                    }
                }
            };
        }

        /** What the sandbox used until its agent was ready: the container's cgroup, and its shim. */
        private void readStartCpu() {
            if (containerId == null) {
                return;
            }
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
        public boolean seesHostFolder() {
            return s.seesHostFolder();
        }

        @Override
        public String putInbox(String name, byte[] content) {
            return s.putInbox(name, content);
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
