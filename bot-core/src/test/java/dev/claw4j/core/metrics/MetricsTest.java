package dev.claw4j.core.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.llm.ModelCallRecord;
import dev.claw4j.protocol.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class MetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Metrics metrics = new Metrics(registry);

    @Test
    void messagesAreCountedPerPlatformAndOutcome() {
        metrics.messageReceived("web", Metrics.Received.ACCEPTED);
        metrics.messageReceived("web", Metrics.Received.ACCEPTED);
        metrics.messageReceived("web", Metrics.Received.REFUSED);
        metrics.messageReceived("slack", Metrics.Received.DUPLICATE);
        metrics.messageSent("web");

        assertThat(registry.get("claw4j.messages.received").tags("platform", "web", "outcome", "accepted").counter()
                .count()).isEqualTo(2);
        assertThat(registry.get("claw4j.messages.received").tags("platform", "web", "outcome", "refused").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get("claw4j.messages.received").tags("platform", "slack", "outcome", "duplicate").counter()
                .count()).isEqualTo(1);
        assertThat(registry.get("claw4j.messages.sent").tag("platform", "web").counter().count()).isEqualTo(1);
    }

    @Test
    void aModelCallRecordsLatencyPerProviderAndModelAndTokensPerGroupAndDirection() {
        metrics.modelCall(new ModelCallRecord("g1", "openai/gpt-4o-mini", new Usage(120, 30), 250, 1,
                ModelCallRecord.Outcome.OK, null));
        metrics.modelCall(new ModelCallRecord("g1", "openai/gpt-4o-mini", new Usage(80, 20), 150, 2,
                ModelCallRecord.Outcome.OK, null));
        metrics.modelCall(new ModelCallRecord("g2", "anthropic/claude-sonnet-4-5", Usage.NONE, 900, 3,
                ModelCallRecord.Outcome.FAILED, "HTTP 529"));

        var latency = registry.get("claw4j.model.latency")
                .tags("provider", "openai", "model", "gpt-4o-mini", "outcome", "ok").timer();
        assertThat(latency.count()).isEqualTo(2);
        assertThat(latency.totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)).isEqualTo(400);
        assertThat(registry.get("claw4j.model.latency").tags("provider", "anthropic", "outcome", "failed").timer()
                .count()).isEqualTo(1);
        assertThat(registry.get("claw4j.model.tokens").tags("group", "g1", "direction", "in").counter().count())
                .isEqualTo(200);
        assertThat(registry.get("claw4j.model.tokens").tags("group", "g1", "direction", "out").counter().count())
                .isEqualTo(50);
        assertThat(registry.get("claw4j.model.tokens").tags("group", "g2", "direction", "in").counter().count())
                .as("a failed call used no tokens, and its series still exists").isZero();
    }

    @Test
    void groupsPastTheCapShareOneSeriesSoAFloodOfGroupsCannotGrowTheScrape() {
        for (int i = 0; i < Metrics.MAX_GROUP_TAGS + 50; i++) {
            metrics.modelCall(new ModelCallRecord("g" + i, "openai/m", new Usage(1, 1), 1, 1,
                    ModelCallRecord.Outcome.OK, null));
        }
        long groupSeries = registry.find("claw4j.model.tokens").tag("direction", "in").counters().size();
        assertThat(groupSeries).isEqualTo(Metrics.MAX_GROUP_TAGS + 1);
        assertThat(registry.get("claw4j.model.tokens").tags("group", Metrics.OTHER_GROUP, "direction", "in").counter()
                .count()).isEqualTo(50);
        // a group that had its own series keeps it
        metrics.modelCall(new ModelCallRecord("g0", "openai/m", new Usage(5, 0), 1, 1, ModelCallRecord.Outcome.OK, null));
        assertThat(registry.get("claw4j.model.tokens").tags("group", "g0", "direction", "in").counter().count())
                .isEqualTo(6);
    }

    @Test
    void timersArePerOutcome() {
        metrics.turn(Duration.ofMillis(1500), true);
        metrics.turn(Duration.ofMillis(10), false);
        metrics.queueWait(Duration.ofMillis(40));
        metrics.sandboxStart(Duration.ofSeconds(2), true);

        assertThat(registry.get("claw4j.turn.duration").tag("outcome", "ok").timer().count()).isEqualTo(1);
        assertThat(registry.get("claw4j.turn.duration").tag("outcome", "failed").timer().count()).isEqualTo(1);
        assertThat(registry.get("claw4j.queue.wait").timer().count()).isEqualTo(1);
        assertThat(registry.get("claw4j.sandbox.start").tag("outcome", "ok").timer().count()).isEqualTo(1);
        // the buckets themselves show in a Prometheus scrape (MetricsScrapeTest in app)
    }

    @Test
    void refusalsAndWatchdogStopsAreCountedByKind() {
        metrics.refused("access.refused");
        metrics.refused("access.refused");
        metrics.refused("folder.refused");
        metrics.watchdogStop("wrote 1,234 lines the host refused within 10 s");
        metrics.watchdogStop("grew its folder to 900 MiB, past its quota of 512 MiB");

        assertThat(registry.get("claw4j.refusals").tag("kind", "access.refused").counter().count()).isEqualTo(2);
        assertThat(registry.get("claw4j.refusals").tag("kind", "folder.refused").counter().count()).isEqualTo(1);
        assertThat(registry.get("claw4j.watchdog.stops").tag("kind", "refused_lines").counter().count()).isEqualTo(1);
        assertThat(registry.get("claw4j.watchdog.stops").tag("kind", "folder_quota").counter().count()).isEqualTo(1);
    }

    @Test
    void everyWatchdogSentenceHasAKind() {
        // the sentences Watchdog#check writes; SandboxMetricsTest sees a real one come through
        assertThat(Metrics.watchdogKind("wrote 5,000 messages within 10 s, more than the host takes (2,000)"))
                .isEqualTo("messages");
        assertThat(Metrics.watchdogKind("wrote 300 MiB of output within 10 s, more than the host takes (256 MiB)"))
                .isEqualTo("output_bytes");
        assertThat(Metrics.watchdogKind("filled its folder with too many entries to measure")).isEqualTo("folder_entries");
        assertThat(Metrics.watchdogKind("did something new")).isEqualTo("other");
        assertThat(Metrics.watchdogKind(null)).isEqualTo("other");
    }

    @Test
    void gaugesReadTheirSourceAtEachScrape() {
        int[] live = {0};
        metrics.sandboxGauges(() -> live[0], () -> 1);
        live[0] = 3;
        assertThat(registry.get("claw4j.sandboxes.live").gauge().value()).isEqualTo(3);
        assertThat(registry.get("claw4j.sandboxes.starting").gauge().value()).isEqualTo(1);
    }

    @Test
    void noneCountsNothingAndNeverFails() {
        Metrics none = Metrics.none();
        none.messageReceived("web", Metrics.Received.ACCEPTED);
        none.turn(Duration.ofSeconds(1), true);
        none.sandboxGauges(() -> 1, () -> 0);
        assertThat(none.registry().getMeters()).allSatisfy(m -> assertThat(m.measure())
                .allSatisfy(ms -> assertThat(ms.getValue()).isIn(0.0, Double.NaN)));
    }
}
