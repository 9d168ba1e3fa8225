package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.llm.ModelCallRecord;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.protocol.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scrape the host serves, and the Grafana dashboard over it: every series the dashboard asks for exists. */
class MetricsScrapeTest {
    private static final Path DASHBOARD = Path.of("..", "docs", "grafana-dashboard.json");
    private static final Pattern METRIC = Pattern.compile("\\b((?:claw4j|jvm|process|system)_[a-z0-9_]+)\\b");

    private final HostMetrics host = new HostMetrics();

    @AfterEach
    void close() {
        host.close();
    }

    /** One of everything the host counts, as a host that has done some work would show. */
    private PrometheusText scrapeAfterSomeWork() {
        Metrics m = host.metrics();
        m.messageReceived("web", Metrics.Received.ACCEPTED);
        m.messageSent("web");
        m.outboxRetry("web");
        m.outboxFailure("web");
        m.turn(Duration.ofSeconds(2), true);
        m.queueWait(Duration.ofMillis(30));
        m.modelCall(new ModelCallRecord("web-dm-ana-1234", "openai/gpt-4o-mini", new Usage(100, 20), 800, 1,
                ModelCallRecord.Outcome.OK, null));
        m.sandboxStart(Duration.ofSeconds(3), true);
        m.sandboxGauges(() -> 1, () -> 0);
        m.queueGauges(() -> 1, () -> 0);
        m.refused("access.refused");
        m.watchdogStop("wrote 2,001 messages within 10 s, more than the host takes (2,000)");
        return PrometheusText.parse(host.scrape());
    }

    @Test
    void theScrapeHasTheHostsMetersInPrometheusNamesAndTheJvmsAndTheProcesss() {
        PrometheusText scrape = scrapeAfterSomeWork();
        assertThat(scrape.sum("claw4j_messages_received_total", "platform", "web", "outcome", "accepted")).isEqualTo(1);
        assertThat(scrape.sum("claw4j_messages_sent_total", "platform", "web")).isEqualTo(1);
        assertThat(scrape.sum("claw4j_turn_duration_seconds_count", "outcome", "ok")).isEqualTo(1);
        assertThat(scrape.sum("claw4j_turn_duration_seconds_sum")).isEqualTo(2.0);
        assertThat(scrape.sum("claw4j_model_tokens_total", "group", "web-dm-ana-1234", "direction", "in"))
                .isEqualTo(100);
        assertThat(scrape.sum("claw4j_model_latency_seconds_count", "provider", "openai", "model", "gpt-4o-mini"))
                .isEqualTo(1);
        assertThat(scrape.sum("claw4j_watchdog_stops_total", "kind", "messages")).isEqualTo(1);
        assertThat(scrape.sum("claw4j_refusals_total", "kind", "access.refused")).isEqualTo(1);
        assertThat(scrape.sum("claw4j_sandboxes_live")).isEqualTo(1);
        // histograms, for p50/p99 across series
        assertThat(scrape.samples()).anyMatch(s -> s.name().equals("claw4j_turn_duration_seconds_bucket")
                && "+Inf".equals(s.labels().get("le")) && s.value() == 1);
        assertThat(scrape.names()).contains("jvm_memory_used_bytes", "jvm_threads_live_threads", "process_cpu_usage",
                "system_cpu_count", "process_uptime_seconds", "jvm_gc_memory_allocated_bytes_total");
        if (Files.exists(Path.of("/proc/self/fd"))) {
            assertThat(scrape.names()).contains("process_files_open_files");
        }
    }

    @Test
    void everyMetricTheDashboardUsesIsInTheScrape() throws Exception {
        JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
        assertThat(dashboard.path("templating").path("list").findValuesAsText("type")).contains("datasource");

        List<String> exprs = new ArrayList<>();
        dashboard.findValues("expr").forEach(e -> exprs.add(e.asText()));
        assertThat(exprs).as("the dashboard has queries").hasSizeGreaterThan(10);
        Set<String> used = new TreeSet<>();
        for (String expr : exprs) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                used.add(m.group(1));
            }
        }
        assertThat(used).contains("claw4j_messages_received_total", "claw4j_messages_sent_total",
                "claw4j_turn_duration_seconds_bucket", "claw4j_queue_wait_seconds_bucket",
                "claw4j_model_latency_seconds_bucket", "claw4j_model_tokens_total", "claw4j_sandboxes_live",
                "claw4j_refusals_total");
        Set<String> scraped = scrapeAfterSomeWork().names();
        assertThat(scraped).as("every metric the dashboard queries").containsAll(used);
    }
}
