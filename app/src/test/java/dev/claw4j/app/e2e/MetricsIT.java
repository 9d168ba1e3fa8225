package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.app.PrometheusText;
import dev.claw4j.app.admin.AdminToken;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} on a real host, scraped as Prometheus would (bearer token from the data directory, the text
 * format parsed), before and after a few web messages with real sandboxes and the scripted model: the counters
 * move by exactly the messages sent.
 */
class MetricsIT {
    private static final int N = 3;
    private static final String CHAT = "dm-metrics";

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(RunningHost host, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + host.claw4j.admin().port() + "/metrics")).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private PrometheusText scrape(RunningHost host) throws Exception {
        HttpResponse<String> r = get(host, AdminToken.of(data).value());
        assertThat(r.statusCode()).as("scrape answered: %s", r.body()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        return PrometheusText.parse(r.body());
    }

    private static double received(PrometheusText s) {
        return s.sum("claw4j_messages_received_total", "platform", "web");
    }

    private static double accepted(PrometheusText s) {
        return s.sum("claw4j_messages_received_total", "platform", "web", "outcome", "accepted");
    }

    private static double sent(PrometheusText s) {
        return s.sum("claw4j_messages_sent_total", "platform", "web");
    }

    private static double turns(PrometheusText s) {
        return s.sum("claw4j_turn_duration_seconds_count");
    }

    @Test
    void theCountersMoveByExactlyTheMessagesSent() throws Exception {
        try (RunningHost host = new RunningHost(data, 2, "1m")) {
            PrometheusText before = scrape(host);
            assertThat(before.names()).as("the JVM's meters are there from the start")
                    .contains("jvm_memory_used_bytes", "process_uptime_seconds");

            for (int i = 1; i <= N; i++) {
                host.chat.post(CHAT, "mia", "message number " + i);
                host.chat.awaitReplies(CHAT, i, Duration.ofSeconds(120));
            }

            // a reply is visible in the chat a moment before the outbox counts it, and the turn ends after that
            await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> {
                PrometheusText now = scrape(host);
                assertThat(sent(now) - sent(before)).isEqualTo(N);
                assertThat(turns(now) - turns(before)).isEqualTo(N);
            });
            Thread.sleep(1000); // and nothing more comes in late
            PrometheusText after = scrape(host);

            assertThat(received(after) - received(before)).as("web messages received").isEqualTo(N);
            assertThat(accepted(after) - accepted(before)).as("all of them for the agent").isEqualTo(N);
            assertThat(sent(after) - sent(before)).as("web replies sent").isEqualTo(N);
            assertThat(turns(after) - turns(before)).as("turns").isEqualTo(N);
            assertThat(after.sum("claw4j_turn_duration_seconds_count", "outcome", "ok")
                    - before.sum("claw4j_turn_duration_seconds_count", "outcome", "ok")).isEqualTo(N);
            assertThat(after.sum("claw4j_queue_wait_seconds_count") - before.sum("claw4j_queue_wait_seconds_count"))
                    .as("every turn waited in the queue first").isEqualTo(N);
            assertThat(after.sum("claw4j_model_latency_seconds_count", "provider", "openai", "model", "claw4j-demo",
                    "outcome", "ok") - before.sum("claw4j_model_latency_seconds_count"))
                    .as("model calls").isGreaterThanOrEqualTo(N);
            assertThat(after.sum("claw4j_model_tokens_total", "direction", "in")).as("tokens in").isPositive();
            assertThat(after.samples()).as("tokens are counted per group")
                    .anyMatch(s -> s.name().equals("claw4j_model_tokens_total") && s.value() > 0
                            && s.labels().getOrDefault("group", "").startsWith("web-"));
            assertThat(after.sum("claw4j_sandbox_start_seconds_count", "outcome", "ok")
                    - before.sum("claw4j_sandbox_start_seconds_count")).as("sandbox starts").isGreaterThanOrEqualTo(1);
            assertThat(after.sum("claw4j_sandboxes_live")).as("the group's sandbox stays warm").isEqualTo(1);
            assertThat(after.sum("claw4j_outbox_failures_total")).isZero();

            HttpResponse<String> noToken = get(host, null);
            assertThat(noToken.statusCode()).isEqualTo(401);
            assertThat(noToken.body()).doesNotContain("claw4j_messages");
            assertThat(get(host, "not-the-token").statusCode()).isEqualTo(401);
        }
    }
}
