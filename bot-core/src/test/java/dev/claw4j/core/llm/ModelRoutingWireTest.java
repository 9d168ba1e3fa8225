package dev.claw4j.core.llm;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.core.llm.FakeProviderServer.Reply;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ProtocolError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** A model per group and the fallback model, with the real clients against two loopback providers. */
class ModelRoutingWireTest {
    static final ObjectMapper JSON = new ObjectMapper();

    final FakeProviderServer openAi;
    final FakeProviderServer gemini;
    final List<ModelCallRecord> calls = new CopyOnWriteArrayList<>();
    final List<String> fallbacks = new CopyOnWriteArrayList<>();
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    final ModelCallListener listener = new ModelCallListener() {
        @Override
        public void onCall(ModelCallRecord record) {
            calls.add(record);
        }

        @Override
        public void onFallback(String groupId, String from, String to, String reason) {
            fallbacks.add(groupId + " " + from + " -> " + to + " (" + reason + ")");
        }
    };

    ModelRoutingWireTest() throws IOException {
        openAi = new FakeProviderServer();
        gemini = new FakeProviderServer();
    }

    @AfterEach
    void stop() {
        openAi.close();
        gemini.close();
    }

    ModelSettings openAiSettings(int maxRetries) {
        return new ModelSettings(ModelSettings.Provider.OPENAI, "gpt-main", "sk-main-key-1234", openAi.baseUrl(),
                4096, Duration.ofSeconds(10), maxRetries);
    }

    ModelSettings geminiSettings() {
        return new ModelSettings(ModelSettings.Provider.GEMINI, "gemini-flash", "gem-key-5678", gemini.baseUrl(),
                512, Duration.ofSeconds(10), 0);
    }

    static AgentMessage.LlmRequest hi(String id) {
        return new AgentMessage.LlmRequest(id, "t1", "You are claw.", List.of(LlmMessage.user("hi")), List.of(), null);
    }

    static String openAiText(String text) {
        ObjectNode root = JSON.createObjectNode().put("id", "c1").put("object", "chat.completion")
                .put("created", 1).put("model", "gpt-main");
        root.putArray("choices").addObject().put("index", 0).put("finish_reason", "stop").putObject("message")
                .put("role", "assistant").put("content", text);
        root.putObject("usage").put("prompt_tokens", 3).put("completion_tokens", 2).put("total_tokens", 5);
        return root.toString();
    }

    static String geminiText(String text) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode candidate = root.putArray("candidates").addObject().put("finishReason", "STOP").put("index", 0);
        ObjectNode content = candidate.putObject("content").put("role", "model");
        content.putArray("parts").addObject().put("text", text);
        root.putObject("usageMetadata").put("promptTokenCount", 4).put("candidatesTokenCount", 2)
                .put("totalTokenCount", 6);
        return root.toString();
    }

    static String text(HostMessage answer) {
        assertThat(answer).isInstanceOf(HostMessage.LlmResponse.class);
        return ((HostMessage.LlmResponse) answer).message().text();
    }

    @Test
    void eachGroupTalksToItsOwnModelWithItsOwnLimits() {
        openAi.then(Reply.json(openAiText("from openai")));
        gemini.then(Reply.json(geminiText("from gemini")));
        ModelSettings fast = geminiSettings();
        ModelGateway gateway = ModelGateway.of(openAiSettings(0), null,
                group -> group.equals("family") ? fast : null, listener);

        assertThat(text(gateway.answer("family", hi("r1")))).isEqualTo("from gemini");
        assertThat(text(gateway.answer("work", hi("r2")))).isEqualTo("from openai");
        assertThat(text(gateway.answer("family", hi("r3")))).isEqualTo("from gemini");

        assertThat(gemini.received()).hasSize(2);
        assertThat(openAi.received()).hasSize(1);
        // the group's own ceiling on output tokens, not the default model's
        assertThat(gemini.last().json().path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(512);
        assertThat(gemini.last().header("x-goog-api-key")).isEqualTo("gem-key-5678");
        assertThat(calls).extracting(c -> c.groupId() + " " + c.model())
                .containsExactly("family gemini/gemini-flash", "work openai/gpt-main", "family gemini/gemini-flash");
        assertThat(fallbacks).isEmpty();
    }

    @Test
    void mainModelAnswering503AfterAllRetriesGoesToTheFallback() {
        openAi.then(Reply.status(503, "{\"error\":{\"message\":\"overloaded, try later\"}}"));
        gemini.then(Reply.json(geminiText("the fallback answers")));
        ModelSettings main = openAiSettings(2);
        ModelGateway gateway = new ModelGateway(group -> new ModelGateway.Target(ModelClients.create(main), 4096),
                new ModelGateway.Target(ModelClients.create(geminiSettings()), 512),
                RetryPolicy.withMaxRetries(2), sleeps::add, listener);

        HostMessage answer = gateway.answer("g1", hi("r1"));

        assertThat(text(answer)).isEqualTo("the fallback answers");
        assertThat(openAi.received()).hasSize(3); // the first try and both retries, before falling back
        assertThat(gemini.received()).hasSize(1);
        assertThat(fallbacks).containsExactly(
                "g1 openai/gpt-main -> gemini/gemini-flash (HTTP 503: overloaded, try later)");
        assertThat(calls).extracting(c -> c.model() + " " + c.outcome() + " " + c.attempts())
                .containsExactly("openai/gpt-main FAILED 3", "gemini/gemini-flash OK 1");
    }

    @Test
    void aRefusedKeyDoesNotFallBack() {
        openAi.then(Reply.status(401, "{\"error\":{\"message\":\"bad key\"}}"));
        gemini.then(Reply.json(geminiText("never asked")));
        ModelSettings main = openAiSettings(2);
        ModelGateway gateway = new ModelGateway(group -> new ModelGateway.Target(ModelClients.create(main), 4096),
                new ModelGateway.Target(ModelClients.create(geminiSettings()), 512),
                RetryPolicy.withMaxRetries(2), sleeps::add, listener);

        HostMessage answer = gateway.answer("g1", hi("r1"));

        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class,
                e -> assertThat(e.message()).contains("refused the key"));
        assertThat(gemini.received()).isEmpty();
        assertThat(fallbacks).isEmpty();
    }

    @Test
    void whenTheFallbackFailsTooThePersonReadsItsError() {
        openAi.then(Reply.status(503, "{\"error\":{\"message\":\"down\"}}"));
        gemini.then(Reply.status(500, "{\"error\":{\"code\":500,\"message\":\"also down\",\"status\":\"INTERNAL\"}}"));
        ModelSettings main = openAiSettings(0);
        ModelGateway gateway = new ModelGateway(group -> new ModelGateway.Target(ModelClients.create(main), 4096),
                new ModelGateway.Target(ModelClients.create(geminiSettings()), 512),
                RetryPolicy.withMaxRetries(0), sleeps::add, listener);

        HostMessage answer = gateway.answer("g1", hi("r1"));

        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class, e -> assertThat(e.message())
                .isEqualTo("The model is not answering right now (HTTP 500 after 1 try). Try again in a minute."));
        assertThat(openAi.received()).hasSize(1);
        assertThat(gemini.received()).hasSize(1);
        assertThat(fallbacks).hasSize(1);
    }

    @Test
    void routingIsAskedOnEveryCallSoAChangeAppliesToTheNext() {
        openAi.then(Reply.json(openAiText("openai")));
        gemini.then(Reply.json(geminiText("gemini")));
        Map<String, ModelSettings> stored = new java.util.concurrent.ConcurrentHashMap<>();
        ModelGateway gateway = ModelGateway.of(openAiSettings(0), null, stored::get, listener);

        assertThat(text(gateway.answer("g1", hi("r1")))).isEqualTo("openai");
        stored.put("g1", geminiSettings());
        assertThat(text(gateway.answer("g1", hi("r2")))).isEqualTo("gemini");
    }

    @Test
    void eachModelIsRetriedAsItsOwnSettingsSayAndTheBuiltGatewayFallsBack() {
        openAi.then(Reply.status(503, "{\"error\":{\"message\":\"down\"}}"));
        gemini.then(Reply.json(geminiText("fallback")));
        // the default (unused here) would retry 4 times with real waits; the group's model retries none
        ModelSettings groupModel = openAiSettings(0);
        ModelSettings defaults = new ModelSettings(ModelSettings.Provider.OPENAI, "gpt-default", "sk-d-1234",
                "http://127.0.0.1:9/v1", 4096, Duration.ofSeconds(10), 4);
        ModelGateway gateway = ModelGateway.of(defaults, geminiSettings(), group -> groupModel, listener);

        assertThat(text(gateway.answer("g1", hi("r1")))).isEqualTo("fallback");
        assertThat(openAi.received()).hasSize(1);
        assertThat(fallbacks).containsExactly("g1 openai/gpt-main -> gemini/gemini-flash (HTTP 503: down)");
    }
}
