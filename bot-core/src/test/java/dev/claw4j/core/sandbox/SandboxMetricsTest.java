package dev.claw4j.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.core.metrics.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the sandbox manager counts: starts, sandboxes live and starting, refused lines, watchdog stops. */
class SandboxMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private SandboxManager manager;

    private SandboxManager manager(FakeRuntime.Script script, int maxRefused) {
        manager = new SandboxManager(new FakeRuntime(script), FakeRuntime::spec, group -> () -> 0L,
                new Watchdog.Limits(100L << 20, maxRefused, 2_000, 1L << 40, 5, Duration.ofSeconds(1),
                        Duration.ofMillis(100)),
                (group, kind, detail) -> { }, new Metrics(registry));
        return manager;
    }

    @AfterEach
    void stop() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aStartIsTimedAndTheSandboxCountsAsLiveUntilDiscarded() {
        SandboxManager sandboxes = manager(agent -> Thread.sleep(Long.MAX_VALUE), 100);
        assertThat(registry.get("claw4j.sandboxes.live").gauge().value()).isZero();

        sandboxes.acquire("g1");
        sandboxes.acquire("g1"); // warm: not a start
        sandboxes.acquire("g2");

        assertThat(registry.get("claw4j.sandbox.start").tag("outcome", "ok").timer().count()).isEqualTo(2);
        assertThat(registry.get("claw4j.sandboxes.live").gauge().value()).isEqualTo(2);
        assertThat(registry.get("claw4j.sandboxes.starting").gauge().value()).isZero();
        sandboxes.discard("g1");
        assertThat(registry.get("claw4j.sandboxes.live").gauge().value()).isEqualTo(1);
    }

    @Test
    void aSandboxIsCountedAsStartingUntilItsAgentIsReady() throws Exception {
        CountDownLatch runtimeAsked = new CountDownLatch(1);
        CountDownLatch letItStart = new CountDownLatch(1);
        FakeRuntime fake = new FakeRuntime(agent -> Thread.sleep(Long.MAX_VALUE));
        SandboxRuntime slow = new SandboxRuntime() {
            @Override
            public Isolation isolation() {
                return fake.isolation();
            }

            @Override
            public Sandbox start(SandboxSpec spec) {
                runtimeAsked.countDown();
                try {
                    letItStart.await();
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
        manager = new SandboxManager(slow, FakeRuntime::spec, group -> () -> 0L, Watchdog.Limits.of(100L << 20), (g, k, d) -> { },
                new Metrics(registry));
        Thread starter = Thread.ofVirtual().start(() -> manager.acquire("slow"));
        assertThat(runtimeAsked.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.get("claw4j.sandboxes.starting").gauge().value()).isEqualTo(1);
        letItStart.countDown();
        starter.join(Duration.ofSeconds(10));
        assertThat(registry.get("claw4j.sandboxes.starting").gauge().value()).isZero();
        assertThat(registry.get("claw4j.sandboxes.live").gauge().value()).isEqualTo(1);
    }

    @Test
    void aFolderGrownPastItsQuotaIsAWatchdogStopOfItsKind() throws Exception {
        java.util.concurrent.atomic.AtomicLong folder = new java.util.concurrent.atomic.AtomicLong();
        manager = new SandboxManager(new FakeRuntime(agent -> Thread.sleep(Long.MAX_VALUE)), FakeRuntime::spec,
                group -> folder::get, new Watchdog.Limits(10L << 20, 100, 2_000, 1L << 40, 5, Duration.ofSeconds(1),
                        Duration.ofMillis(100)), (g, k, d) -> { }, new Metrics(registry));
        SandboxManager.Live live = manager.acquire("g-big");
        folder.set(100L << 20);
        await().atMost(5, TimeUnit.SECONDS).until(() -> live.killedFor() != null);
        assertThat(live.killedFor()).contains("past its quota");
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(registry.get("claw4j.watchdog.stops").tag("kind", "folder_quota").counter().count())
                        .isEqualTo(1));
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(registry.get("claw4j.sandboxes.live").gauge().value()).as("a stopped sandbox is not live")
                        .isZero());
    }

    @Test
    void refusedLinesAndTheWatchdogStopTheyCauseAreCountedByKind() throws Exception {
        SandboxManager sandboxes = manager(agent -> {
            for (int i = 0; ; i++) {
                agent.writeLine("garbage " + i + " {");
            }
        }, 50);
        SandboxManager.Live live = sandboxes.acquire("g-bad");
        while (live.channel().receive(Duration.ofSeconds(10)) != AgentChannel.CLOSED) {
            // the host reads on, as a turn would
        }
        assertThat(live.killedFor()).as("the flood really ran and was stopped").contains("lines the host refused");
        await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
                assertThat(registry.get("claw4j.watchdog.stops").tag("kind", "refused_lines").counter().count())
                        .isEqualTo(1));
        assertThat(registry.get("claw4j.refusals").tag("kind", "protocol.refused").counter().count())
                .as("every refused line counted, not only the audited few")
                .isEqualTo(live.channel().refusedLines());
    }
}
