package dev.claw4j.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.claw4j.app.Claw4j;
import dev.claw4j.app.Config;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.DockerSandboxRuntime;
import dev.claw4j.sandbox.SandboxSettings;
import io.micrometer.core.instrument.Timer;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Many chats, a few sandboxes, a slow model: {@code CHATS} web chats send 3 messages each through the web API,
 * at most {@code CONCURRENCY} chats talking at once, each waiting for its reply before its next message; the
 * host runs in this process with {@code sandbox.maxSandboxes: 8} against a scripted model (300 ms ± 100 ms,
 * in a process of its own). Prints lost and doubled replies, time to reply, queue-wait fairness, the most
 * sandboxes seen at once, sandbox starts per message, what a cold start costs in CPU (the container's cgroup, its
 * shim, Docker's daemons), host heap and RSS, host CPU seconds per message. With several eviction graces
 * ({@code 2s,0s,2s,0s}) it runs once per grace, a fresh host each, and ends with a table comparing them.
 */
public final class LoadBench {
    private static final int MESSAGES = 3;
    private static final long REPLY_TIMEOUT_S = 900;

    /** One run's headline figures, for the comparison printed at the end. */
    private record Summary(String grace, double perSecond, double p50, double p99, double startsPerMessage,
                           double fairness, long heapAfterGcMiB, long mostRssMiB) {
    }

    public static void main(String[] args) throws Exception {
        int chats = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int maxSandboxes = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        // sandbox.evictionGrace per run, run in this order with a fresh host each: "0s,2s,0s,2s" alternates them
        List<String> graces = List.of((args.length > 3 ? args[3] : "2s").split(","));
        // the scripted model's latency, MEAN or MEAN+-SPREAD ms: "0" is an instant model (as in the demo)
        String[] latency = (args.length > 4 ? args[4] : "300+-100").split("\\+-");
        int mean = Integer.parseInt(latency[0].strip());
        int spread = latency.length > 1 ? Integer.parseInt(latency[1].strip()) : 0;
        Process model = WebChats.startModel(mean, spread);
        Runtime.getRuntime().addShutdownHook(new Thread(model::destroy)); // also when the bench is stopped
        List<Summary> summaries = new ArrayList<>();
        try (var docker = DockerClients.connect()) {
            String baseUrl = WebChats.baseUrl(model);
            for (int i = 0; i < graces.size(); i++) {
                String grace = graces.get(i).strip();
                Path data = Files.createTempDirectory("claw4j-bench-load-");
                Config.Sandbox sandbox = new Config.Sandbox("runsc", null, null, null, null, null, null, null, null,
                        maxSandboxes).withEviction(grace, null);
                Config config = WebChats.hostConfig(data, sandbox);
                var runtime = new TimedRuntime(new DockerSandboxRuntime(DockerClients.connect(),
                        new SandboxSettings("runsc", false, null, "bench-" + ProcessHandle.current().pid() + "-" + i)),
                        name -> docker.inspectContainerCmd(name).exec().getId());
                System.out.printf("%n== run %d of %d: sandbox.evictionGrace %s, maxHold %s%n", i + 1, graces.size(),
                        grace, sandbox.maxHold());
                try (Claw4j claw4j = new Claw4j(config, runtime, ModelSettings.of("openai", "demo", "k", baseUrl))) {
                    claw4j.start();
                    summaries.add(run(claw4j, runtime, data, chats, concurrency, maxSandboxes, grace,
                            mean + " +- " + spread + " ms"));
                }
            }
        } finally {
            model.destroy();
        }
        if (summaries.size() > 1) {
            System.out.printf("%ncomparison (runs in the order made; this shared 2-core machine is noisy):%n");
            System.out.printf("  %-6s %8s %8s %8s %12s %9s %10s %8s%n", "grace", "msg/s", "p50 s", "p99 s",
                    "starts/msg", "max/med*", "heap MiB**", "RSS MiB");
            for (Summary r : summaries) {
                System.out.printf("  %-6s %8.2f %8.1f %8.1f %12.2f %9.1f %10d %8d%n", r.grace(), r.perSecond(),
                        r.p50(), r.p99(), r.startsPerMessage(), r.fairness(), r.heapAfterGcMiB(), r.mostRssMiB());
            }
            System.out.println("  * fairness: a chat's first message, received -> turn.start written, max / median");
            System.out.println("  ** heap used after a full GC at the end of the run, every chat known to the host");
        }
    }

    private static Summary run(Claw4j claw4j, TimedRuntime runtime, Path data, int chats, int concurrency,
                               int maxSandboxes, String grace, String latency) throws Exception {
        WebChats.Endpoint endpoint = WebChats.Endpoint.of(claw4j, data);
        var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        var memory = ManagementFactory.getMemoryMXBean();
        AtomicLong mostHeap = new AtomicLong();
        AtomicLong mostRss = new AtomicLong();
        // what the heap held right after its last collection: live data, not garbage waiting to be collected
        AtomicLong mostAfterGc = new AtomicLong();
        var heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == java.lang.management.MemoryType.HEAP && p.getCollectionUsage() != null)
                .toList();
        long rssBefore = rss();
        long heapBefore = memory.getHeapMemoryUsage().getUsed();
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                mostHeap.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                mostRss.accumulateAndGet(rss(), Math::max);
                mostAfterGc.accumulateAndGet(heapPools.stream().mapToLong(p -> p.getCollectionUsage().getUsed()).sum(),
                        Math::max);
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long cpu0 = os.getProcessCpuTime();
        long daemons0 = CpuProbe.daemons();
        int starts0 = runtime.starts.get();
        WebChats.Result result = WebChats.drive("dm-load-", chats, MESSAGES, concurrency, REPLY_TIMEOUT_S,
                c -> endpoint);
        List<Double> replyMs = result.replyMs();
        double seconds = result.seconds();
        double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
        int starts = runtime.starts.get() - starts0;
        long daemons1 = CpuProbe.daemons();
        Thread.sleep(2000); // a late or doubled reply would be stored by now
        sampler.interrupt();
        System.gc(); // what stays with every chat known, not what the collector had not yet reclaimed
        long heapAfterGc = memory.getHeapMemoryUsage().getUsed();

        int sent = chats * MESSAGES;
        WebChats.Tally tally = WebChats.tally(claw4j.store(), "dm-load-", chats, MESSAGES);
        List<Double> queueToStart = new ArrayList<>();
        List<Double> firstToStart = new ArrayList<>(); // each chat's first message: the one that waits for a slot
        for (int c = 0; c < chats; c++) {
            List<ChatLine> in = claw4j.store().messages().history("web", "dm-load-" + c).stream()
                    .filter(l -> l.direction().equals("in")).toList();
            // the k-th turn.start of a chat's group answers its k-th message (each waits for its reply)
            var group = claw4j.store().groups().groupForBinding("web:chat:dm-load-" + c);
            if (group.isPresent()) {
                List<Instant> started = TimedRuntime.of(runtime.turnStartWritten, group.get());
                for (int k = 0; k < Math.min(in.size(), started.size()); k++) {
                    queueToStart.add(MessagePathBench.ms(in.get(k).at(), started.get(k)));
                    if (k == 0) {
                        firstToStart.add(queueToStart.getLast());
                    }
                }
            }
        }
        System.out.printf("load: %d chats x %d messages, at most %d talking at once, maxSandboxes %d, %s,"
                        + " scripted model %s (own process)%n", chats, MESSAGES, concurrency, maxSandboxes,
                runtime.isolation().describe(), latency);
        System.out.printf("  %d messages in %.0f s: %.2f messages/s%n", sent, seconds, sent / seconds);
        System.out.printf("  lost %d, doubled %d (from the store), no reply within %d s: %d, chats failed: %d%n",
                tally.lost(), tally.doubled(), REPLY_TIMEOUT_S, result.timedOut(), result.failed());
        if (!replyMs.isEmpty()) {
            System.out.printf("  time to reply (POST sent -> reply event read): p50 %.1f s, p99 %.1f s, max %.1f s%n",
                    MessagePathBench.pct(replyMs, 50) / 1e3, MessagePathBench.pct(replyMs, 99) / 1e3,
                    MessagePathBench.pct(replyMs, 100) / 1e3);
        }
        printWait("received -> turn.start written (queue wait + sandbox start)", queueToStart);
        printWait("a chat's first message (it waits for a slot and a start), received -> turn.start written",
                firstToStart);
        for (Timer t : claw4j.metrics().registry().find("claw4j.queue.wait").timers()) {
            double p50 = MessagePathBench.bucketPercentile(t, 0.5);
            System.out.printf("  claw4j_queue_wait_seconds: count %d, p50 <= %.0f ms (bucket), max %.0f ms; "
                    + "fairness max/median >= %.1f%n", t.count(), p50, t.max(TimeUnit.MILLISECONDS),
                    t.max(TimeUnit.MILLISECONDS) / p50);
        }
        System.out.printf("  most sandboxes at once: %d; sandbox starts: %d (%.2f per message)%n",
                runtime.mostLive.get(), starts, (double) starts / sent);
        System.out.printf("  host heap used: %d MiB before, %d MiB most (sampled every 250 ms, garbage included), "
                        + "%d MiB at most just after a collection, %d MiB after a full GC at the end with %d chats"
                        + " known (max heap %d MiB)%n",
                heapBefore >> 20, mostHeap.get() >> 20, mostAfterGc.get() >> 20, heapAfterGc >> 20, chats,
                memory.getHeapMemoryUsage().getMax() >> 20);
        printStartCpu(runtime, starts, daemons0, daemons1);
        System.out.printf("  host RSS: %d MiB before, %d MiB most%n", rssBefore >> 20, mostRss.get() >> 20);
        System.out.printf("  host CPU: %.1f s in all, %.3f s per message (the host process, with this bench's"
                + " HTTP client in it; the model and the agents are elsewhere)%n", cpuSeconds, cpuSeconds / sent);
        double p50 = replyMs.isEmpty() ? 0 : MessagePathBench.pct(replyMs, 50) / 1e3;
        double p99 = replyMs.isEmpty() ? 0 : MessagePathBench.pct(replyMs, 99) / 1e3;
        double fairness = firstToStart.isEmpty() ? 0
                : MessagePathBench.pct(firstToStart, 100) / MessagePathBench.pct(firstToStart, 50);
        return new Summary(grace, sent / seconds, p50, p99, (double) starts / sent, fairness, heapAfterGc >> 20,
                mostRss.get() >> 20);
    }

    /** What a cold start costs in CPU, read from the container's cgroup, its shim and Docker's daemons. */
    private static void printStartCpu(TimedRuntime runtime, int starts, long daemons0, long daemons1) {
        List<Double> start = runtime.startCpu.stream().map(n -> n / 1e9).toList();
        List<Double> shim = runtime.startShimCpu.stream().map(n -> n / 1e9).toList();
        List<Double> life = runtime.lifeCpu.stream().map(n -> n / 1e9).toList();
        List<Double> wall = runtime.startWall.stream().map(n -> n / 1e9).toList();
        if (!wall.isEmpty()) {
            System.out.printf("  cold start wall time (runtime asked -> agent's ready line read): p50 %.2f s, p99 %.2f s,"
                    + " max %.2f s%n", MessagePathBench.pct(wall, 50), MessagePathBench.pct(wall, 99),
                    MessagePathBench.pct(wall, 100));
        }
        if (start.isEmpty()) {
            System.out.println("  cold start CPU: not readable here (no cgroup cpuacct for the containers)");
            return;
        }
        System.out.printf("  cold start CPU (container created -> agent's ready line read), %d starts: gVisor sandbox"
                        + " with the agent JVM in it (container cgroup) p50 %.2f s, mean %.2f s; containerd shim with"
                        + " its runsc children p50 %.2f s%n", start.size(), MessagePathBench.pct(start, 50),
                start.stream().mapToDouble(d -> d).average().orElse(0),
                shim.isEmpty() ? Double.NaN : MessagePathBench.pct(shim, 50));
        if (!life.isEmpty()) {
            System.out.printf("  a sandbox's whole life (start, its turns, its idle time) in its cgroup: p50 %.2f s,"
                    + " mean %.2f s%n", MessagePathBench.pct(life, 50), life.stream().mapToDouble(d -> d).average()
                    .orElse(0));
        }
        if (daemons0 >= 0 && daemons1 >= 0 && starts > 0) {
            System.out.printf("  dockerd + containerd over the run: %.1f s, %.2f s per start (they serve every"
                    + " container on this machine, other engineers' too)%n", (daemons1 - daemons0) / 1e9,
                    (daemons1 - daemons0) / 1e9 / starts);
        }
    }

    private static long rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) << 10;
                }
            }
        } catch (Exception e) {
            // not Linux: no RSS figure
        }
        return 0;
    }

    /** One wait's line: p50, p99, max in seconds and how unfair it was (max / median). */
    private static void printWait(String label, List<Double> ms) {
        if (ms.isEmpty()) {
            return;
        }
        double median = MessagePathBench.pct(ms, 50);
        double max = MessagePathBench.pct(ms, 100);
        System.out.printf("  %s: p50 %.1f s, p99 %.1f s, max %.1f s; fairness max/median %.1f%n", label, median / 1e3,
                MessagePathBench.pct(ms, 99) / 1e3, max / 1e3, max / median);
    }
}
