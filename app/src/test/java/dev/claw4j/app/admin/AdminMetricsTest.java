package dev.claw4j.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.app.HostMetrics;
import dev.claw4j.app.PrometheusText;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code GET /metrics} on the admin endpoint, over real HTTP: the scrape with the token, nothing without. */
class AdminMetricsTest {
    @TempDir
    Path data;
    private Store store;
    private HostMetrics metrics;
    private AdminServer server;
    private String token;

    @BeforeEach
    void start() {
        store = Store.inMemory(UUID.randomUUID().toString());
        metrics = new HostMetrics();
        server = new AdminServer(data, 0, new AccessAdmin(store, "pairing", List.of(), List.of(), "admin-api",
                Clock.systemUTC()), metrics::scrape);
        server.start();
        token = AdminToken.of(data).value();
    }

    @AfterEach
    void stop() {
        server.close();
        metrics.close();
        store.close();
    }

    private record Answer(int status, String headers, String body) {}

    private Answer get(String path, String... headers) throws IOException {
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), server.port())) {
            StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nConnection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            req.append("\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String raw = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int split = raw.indexOf("\r\n\r\n");
            return new Answer(Integer.parseInt(raw.substring(9, 12)), raw.substring(0, split), raw.substring(split + 4));
        }
    }

    private String host() {
        return "Host: 127.0.0.1:" + server.port();
    }

    @Test
    void withTheTokenTheScrapeIsServedInTheTextFormat() throws IOException {
        metrics.metrics().messageReceived("web", Metrics.Received.ACCEPTED);
        Answer a = get("/metrics", host(), "Authorization: Bearer " + token);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.headers().toLowerCase()).contains("content-type: text/plain; version=0.0.4");
        PrometheusText scrape = PrometheusText.parse(a.body());
        assertThat(scrape.sum("claw4j_messages_received_total", "platform", "web")).isEqualTo(1);
        assertThat(scrape.names()).contains("jvm_memory_used_bytes");
    }

    @Test
    void withoutTheTokenOrWithAWrongOneThereIsNothing() throws IOException {
        metrics.metrics().messageReceived("web", Metrics.Received.ACCEPTED);
        // the same request with the token gets the scrape, so the refusals below are the token's doing
        assertThat(get("/metrics", host(), "Authorization: Bearer " + token).body()).contains("claw4j_");
        for (Answer a : List.of(get("/metrics", host()), get("/metrics", host(), "Authorization: Bearer nope"),
                get("/metrics", host(), "Authorization: Basic " + token))) {
            assertThat(a.status()).isEqualTo(401);
            assertThat(a.body()).doesNotContain("claw4j_").contains("admin token");
        }
    }

    @Test
    void prometheusFindsThePortInATargetsFile() throws IOException {
        JsonNode targets = new ObjectMapper().readTree(data.resolve(AdminServer.PROMETHEUS_TARGETS_FILE).toFile());
        assertThat(targets.get(0).get("targets").get(0).asText()).isEqualTo("127.0.0.1:" + server.port());
    }

    @Test
    void aForeignHostOrPageIsRefusedEvenWithTheToken() throws IOException {
        assertThat(get("/metrics", "Host: evil.example:" + server.port(), "Authorization: Bearer " + token).status())
                .isEqualTo(403);
        assertThat(get("/metrics", host(), "Origin: http://evil.example", "Authorization: Bearer " + token).status())
                .isEqualTo(403);
    }
}
