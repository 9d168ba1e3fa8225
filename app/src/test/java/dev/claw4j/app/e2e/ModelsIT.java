package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.app.Config;
import com.sun.net.httpserver.HttpServer;
import dev.claw4j.app.demo.DemoModelServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /model through the web chat and the real host: an admin moves one group to another model; others stay. */
class ModelsIT {
    @TempDir
    Path data;

    @Test
    void anAdminPicksANamedModelForTheGroupAndItsNextTurnGoesThere() throws Exception {
        try (DemoModelServer other = new DemoModelServer(0).start()) {
            try (RunningHost host = new RunningHost(data, config -> config
                    .withAccess(new Config.Access("open", null, null, null, List.of(WebChatClient.senderId("boss"))))
                    .withModel(new Config.Model("openai", "claw4j-demo", "demo-key", null, null, null, 0, null, null,
                            null, null,
                            Map.of("other", new Config.OtherModel(null, "claw4j-other", null, other.baseUrl(),
                                    null, null, null)),
                            null)), List.of())) {
                host.chat.post("dm-boss", "boss", "/model");
                assertThat(host.chat.awaitReplies("dm-boss", 1, Duration.ofSeconds(30)).getFirst().get("text").asText())
                        .startsWith("This group talks to default (openai/claw4j-demo)").contains("default, other");

                host.chat.post("dm-ana", "ana", "/model other");
                assertThat(host.chat.awaitReplies("dm-ana", 1, Duration.ofSeconds(30)).getFirst().get("text").asText())
                        .isEqualTo("Only admins can use /model.");

                host.chat.post("dm-boss", "boss", "/model other");
                assertThat(host.chat.awaitReplies("dm-boss", 2, Duration.ofSeconds(30)).get(1).get("text").asText())
                        .isEqualTo("This group now talks to other (openai/claw4j-other), from the next message on.");
                String boss = host.claw4j.store().groups().groupForBinding("web:chat:dm-boss").orElseThrow();
                assertThat(host.claw4j.store().audit().auditTrail(boss)).anyMatch(e -> e.kind().equals("model.changed")
                        && e.detail().contains("default -> other"));

                host.chat.post("dm-boss", "boss", "hello other model");
                host.chat.awaitReplies("dm-boss", 3, Duration.ofSeconds(90));
                assertThat(other.rawRequests()).anyMatch(r -> r.contains("hello other model"));
                assertThat(host.model.rawRequests()).noneMatch(r -> r.contains("hello other model"));

                host.chat.post("dm-ana", "ana", "hello default model");
                host.chat.awaitReplies("dm-ana", 2, Duration.ofSeconds(90));
                assertThat(host.model.rawRequests()).anyMatch(r -> r.contains("hello default model"));
                assertThat(other.rawRequests()).noneMatch(r -> r.contains("hello default model"));
            }
        }
    }

    @Test
    void aGroupsModelAnswering503GoesToTheFallbackAndTheAuditSaysSo() throws Exception {
        HttpServer broken = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        broken.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] body = "{\"error\":{\"message\":\"overloaded\"}}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(503, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        broken.start();
        String brokenUrl = "http://127.0.0.1:" + broken.getAddress().getPort() + "/v1";
        try (DemoModelServer fallback = new DemoModelServer(0).start()) {
            try (RunningHost host = new RunningHost(data, config -> config
                    .withAccess(new Config.Access("open", null, null, null, List.of(WebChatClient.senderId("boss"))))
                    .withModel(new Config.Model("openai", "claw4j-demo", "demo-key", null, null, null, 0, null, null,
                            null, new Config.OtherModel(null, "claw4j-fallback", null, fallback.baseUrl(), null, null, 0),
                            Map.of("broken", new Config.OtherModel(null, "claw4j-broken", null, brokenUrl,
                                    null, null, 1)),
                            null)), List.of())) {
                host.chat.post("dm-boss", "boss", "/model broken");
                assertThat(host.chat.awaitReplies("dm-boss", 1, Duration.ofSeconds(30)).getFirst().get("text").asText())
                        .startsWith("This group now talks to broken");

                host.chat.post("dm-boss", "boss", "hello anyone");
                host.chat.awaitReplies("dm-boss", 2, Duration.ofSeconds(90));

                assertThat(fallback.rawRequests()).anyMatch(r -> r.contains("hello anyone"));
                String boss = host.claw4j.store().groups().groupForBinding("web:chat:dm-boss").orElseThrow();
                assertThat(host.claw4j.store().audit().auditTrail(boss)).anyMatch(e -> e.kind().equals("model.fallback")
                        && e.detail().contains("openai/claw4j-broken kept failing (HTTP 503: overloaded)")
                        && e.detail().contains("asked openai/claw4j-fallback"));
                assertThat(host.claw4j.store().audit().auditTrail(boss)).anyMatch(e -> e.kind().equals("model.call")
                        && e.detail().startsWith("openai/claw4j-broken FAILED") && e.detail().contains("2 attempt(s)"));
            }
        } finally {
            broken.stop(0);
        }
    }
}
