package dev.claw4j.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-sandbox watchdog, run by the manager on its own timer, against fake sandboxes on real pipes. */
class SandboxManagerTest {
    private static final long MIB = 1L << 20;
    private static final String EVENT = JsonLines.encode(new AgentMessage.Event("t", "tool.started", "bash", "ls", null, null));

    record Audited(String group, String kind, String detail) {}

    private final List<Audited> audits = new CopyOnWriteArrayList<>();
    private final AtomicLong folderBytes = new AtomicLong();
    private final AtomicInteger measurements = new AtomicInteger();
    private SandboxManager manager;

    /** Small windows, so a test sees several of them in a few seconds. */
    private static Watchdog.Limits limits(int maxRefused, long maxMessages, long maxBytes) {
        return new Watchdog.Limits(100 * MIB, maxRefused, maxMessages, maxBytes, 5, Duration.ofSeconds(1),
                Duration.ofMillis(100));
    }

    private SandboxManager manager(FakeRuntime.Script script, Watchdog.Limits limits) {
        manager = new SandboxManager(new FakeRuntime(script), FakeRuntime::spec, group -> () -> {
            measurements.incrementAndGet();
            return folderBytes.get();
        }, limits, (group, kind, detail) -> audits.add(new Audited(group, kind, detail)));
        return manager;
    }

    @AfterEach
    void stopAll() {
        if (manager != null) {
            manager.close();
        }
    }

    private static void idle(FakeRuntime.FakeSandbox agent) throws InterruptedException {
        Thread.sleep(Long.MAX_VALUE);
    }

    private List<Audited> audited(String kind) {
        return audits.stream().filter(a -> a.kind().equals(kind)).toList();
    }

    @Test
    void aFloodOfValidLinesIsStoppedEvenWhileATurnReceivesEveryOneAtOnce() throws Exception {
        SandboxManager sandboxes = manager(agent -> {
            while (true) {
                agent.writeLine(EVENT);
            }
        }, limits(100, 2_000, 1L << 40));
        SandboxManager.Live live = sandboxes.acquire("g-flood");

        // a turn that takes every line as it comes: receive never times out, which once starved the watchdog
        long received = 0;
        long start = System.nanoTime();
        AgentMessage m;
        while ((m = live.channel().receive(Duration.ofSeconds(10))) != AgentChannel.CLOSED) {
            assertThat(m).as("lines keep coming until the sandbox is stopped").isInstanceOf(AgentMessage.Event.class);
            received++;
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        assertThat(received).as("the flood really ran").isGreaterThan(2_000);
        assertThat(live.killedFor()).contains("messages within 1 s, more than the host takes (2,000)");
        assertThat(audited("sandbox.killed")).singleElement()
                .satisfies(a -> assertThat(a.group()).isEqualTo("g-flood"))
                .satisfies(a -> assertThat(a.detail()).isEqualTo(live.killedFor()));
        assertThat(live.sandbox().exit().get(10, TimeUnit.SECONDS)).isNotNull(); // stopping may take a moment
        assertThat(sandboxes.live("g-flood")).isNull();
    }

    @Test
    void bytesOfOutputPastTheCapStopTheSandbox() throws Exception {
        String big = JsonLines.encode(new AgentMessage.Event("t", "tool.started", "bash", "x".repeat(500_000), null, null));
        SandboxManager sandboxes = manager(agent -> {
            while (true) {
                agent.writeLine(big);
            }
        }, limits(100, 1_000_000, 8 * MIB));
        SandboxManager.Live live = sandboxes.acquire("g-bytes");
        while (live.channel().receive(Duration.ofSeconds(10)) != AgentChannel.CLOSED) {
            // a turn taking everything
        }
        assertThat(live.channel().bytesRead()).isGreaterThan(8 * MIB);
        assertThat(live.killedFor()).contains("MiB of output within 1 s, more than the host takes (8 MiB)");
        assertThat(audited("sandbox.killed")).hasSize(1);
    }

    @Test
    void theQuotaIsWatchedBetweenTurnsWhenNobodyReadsTheSandbox() throws Exception {
        SandboxManager sandboxes = manager(SandboxManagerTest::idle, limits(100, 1_000, 1L << 40));
        SandboxManager.Live live = sandboxes.acquire("g-quota");
        awaitMeasurements(3);
        assertThat(sandboxes.hasLive("g-quota")).as("a quiet sandbox under its quota is left alone").isTrue();

        folderBytes.set(300 * MIB); // the agent's background job writes into the folder; no turn is running
        assertThat(live.sandbox().exit().get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(live.killedFor()).isEqualTo("grew its folder to 300 MiB, past its quota of 100 MiB");
        assertThat(audited("sandbox.killed")).extracting(Audited::detail).containsExactly(live.killedFor());
        assertThat(sandboxes.hasLive("g-quota")).isFalse();
        // the turn that comes next finds it closed and the reason with it
        assertThat(live.channel().receive(Duration.ofSeconds(5))).isSameAs(AgentChannel.CLOSED);
    }

    @Test
    void aSandboxThatStartsOverItsQuotaMayShrinkTheFolderButNotGrowItAgain() throws Exception {
        folderBytes.set(150 * MIB);
        SandboxManager sandboxes = manager(SandboxManagerTest::idle, limits(100, 1_000, 1L << 40));
        SandboxManager.Live live = sandboxes.acquire("g-over");
        awaitMeasurements(3);
        folderBytes.set(120 * MIB);
        awaitMeasurements(3);
        assertThat(live.killedFor()).isNull();

        folderBytes.set(140 * MIB); // under where it started, but over where it shrank to (plus 8 MiB of slack)
        assertThat(live.sandbox().exit().get(5, TimeUnit.SECONDS)).isNotNull();
        assertThat(live.killedFor()).contains("grew its folder to 140 MiB");
    }

    @Test
    void aFloodOfBadLinesIsStoppedAndOnlyAFewOfThemAreAudited() throws Exception {
        SandboxManager sandboxes = manager(agent -> {
            for (int i = 0; ; i++) {
                agent.writeLine("garbage " + i + " {");
            }
        }, limits(1_000, 1_000, 1L << 40));
        SandboxManager.Live live = sandboxes.acquire("g-bad");
        assertThat(live.sandbox().exit().get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(live.channel().refusedLines()).isGreaterThan(1_000);
        assertThat(live.killedFor()).contains("lines the host refused within 1 s");
        awaitAudited("sandbox.killed");
        awaitAuditsSettle();

        List<Audited> refused = audited("protocol.refused");
        long oneByOne = refused.stream().filter(a -> !a.detail().startsWith("…")).count();
        long summedUp = refused.stream().filter(a -> a.detail().startsWith("…")).mapToLong(a -> more(a.detail())).sum();
        // (the line being read as the sandbox was stopped may miss the last summary)
        assertThat(oneByOne + summedUp).as("every refused line is accounted for")
                .isBetween(live.channel().refusedLines() - 1L, (long) live.channel().refusedLines());
        assertThat(refused.size()).as("but only a handful of audit records").isLessThan(20);
        // (the summary and the last one-by-one records are written from two threads: their order may vary)
        assertThat(refused).anySatisfy(a -> assertThat(a.detail()).matches("… and [0-9,]+ more refused lines in the last \\d+ s"));
    }

    @Test
    void refusedLinesAreSummedUpPerWindowEvenWhenTheFloodStops() throws Exception {
        SandboxManager sandboxes = manager(agent -> {
            for (int i = 0; i < 300; i++) {
                agent.writeLine("bad " + i);
            }
            idle(agent);
        }, limits(1_000_000, 1_000, 1L << 40));
        SandboxManager.Live live = sandboxes.acquire("g-some");
        while (live.channel().refusedLines() < 300) {
            Thread.sleep(20);
        }
        Thread.sleep(1_500); // the window ends with no more bad lines: the watchdog's timer writes the summary
        List<Audited> refused = audited("protocol.refused");
        assertThat(refused.stream().filter(a -> !a.detail().startsWith("…")).count()).isLessThanOrEqualTo(10);
        long summedUp = refused.stream().filter(a -> a.detail().startsWith("…")).mapToLong(a -> more(a.detail())).sum();
        assertThat(summedUp).as("a summary was written").isPositive();
        assertThat(refused.stream().filter(a -> !a.detail().startsWith("…")).count() + summedUp).isEqualTo(300);
        assertThat(live.killedFor()).isNull();
    }

    @Test
    void theWatchdogEndsWithItsSandbox() throws Exception {
        SandboxManager sandboxes = manager(SandboxManagerTest::idle, limits(100, 1_000, 1L << 40));
        SandboxManager.Live first = sandboxes.acquire("g-end");
        awaitMeasurements(2);
        first.sandbox().stop(Duration.ZERO); // it died by itself (a crash, say)
        Thread.sleep(300);
        int afterCrash = measurements.get();
        Thread.sleep(500);
        assertThat(measurements.get()).as("no watchdog looks at a sandbox that ended").isEqualTo(afterCrash);

        SandboxManager.Live second = sandboxes.acquire("g-end");
        assertThat(second).isNotSameAs(first);
        awaitMeasurements(2);
        sandboxes.discard("g-end");
        Thread.sleep(300);
        int afterDiscard = measurements.get();
        Thread.sleep(500);
        assertThat(measurements.get()).isEqualTo(afterDiscard);
        assertThat(audited("sandbox.killed")).isEmpty();
    }

    /**
     * A stop that comes while Docker is still starting a sandbox: close waits for that start, the sandbox it
     * yields is stopped at once instead of living on unseen, and no start begins after the stop.
     */
    @Test
    void aStartUnderWayWhenTheStopComesIsStoppedAndNoneBeginsAfter() throws Exception {
        FakeRuntime fake = new FakeRuntime(SandboxManagerTest::idle);
        java.util.concurrent.CountDownLatch inStart = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        SandboxRuntime slow = new SandboxRuntime() {
            @Override
            public Isolation isolation() {
                return fake.isolation();
            }

            @Override
            public Sandbox start(SandboxSpec spec) {
                inStart.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return fake.start(spec);
            }

            @Override
            public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
                return fake.exec(spec, command, timeout, maxOutputBytes);
            }

            @Override
            public int removeOrphans() {
                return 0;
            }

            @Override
            public void close() {}
        };
        SandboxManager sandboxes = new SandboxManager(slow, FakeRuntime::spec, group -> () -> 0L,
                limits(100, 1_000, 1L << 40), (group, kind, detail) -> audits.add(new Audited(group, kind, detail)));
        List<Throwable> thrown = new CopyOnWriteArrayList<>();
        Thread turn = Thread.ofVirtual().start(() -> {
            try {
                sandboxes.acquire("g-racing");
            } catch (SandboxException e) {
                thrown.add(e);
            }
        });
        assertThat(inStart.await(10, TimeUnit.SECONDS)).isTrue();
        Thread closer = Thread.ofVirtual().start(sandboxes::close);
        Thread.sleep(200);
        assertThat(closer.isAlive()).as("close waits for the start under way").isTrue();
        release.countDown();
        closer.join(Duration.ofSeconds(10));
        turn.join(Duration.ofSeconds(10));
        assertThat(closer.isAlive()).isFalse();
        assertThat(thrown).singleElement().extracting(Throwable::getMessage).asString().contains("stopping");
        assertThat(fake.started).singleElement().satisfies(s -> assertThat(s.exit()).isDone());
        assertThat(sandboxes.liveCount()).isZero();
        assertThat(sandboxes.closed()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sandboxes.acquire("g-after"))
                .isInstanceOf(SandboxException.class).hasMessageContaining("stopping");
        assertThat(fake.started).hasSize(1);
    }

    private void awaitMeasurements(int atLeast) throws InterruptedException {
        int target = measurements.get() + atLeast;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (measurements.get() < target) {
            assertThat(System.nanoTime()).as("the watchdog measures the folder on its own").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void awaitAudited(String kind) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (audited(kind).isEmpty()) {
            assertThat(System.nanoTime()).as("audited " + kind).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private void awaitAuditsSettle() throws InterruptedException {
        int size;
        do {
            size = audits.size();
            Thread.sleep(300);
        } while (audits.size() != size);
    }

    private static long more(String summary) {
        Matcher m = Pattern.compile("… and ([0-9,]+) more").matcher(summary);
        assertThat(m.find()).as(summary).isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }
}
