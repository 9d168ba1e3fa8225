package dev.claw4j.core.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.core.llm.FakeProviderServer.Received;
import dev.claw4j.core.llm.FakeProviderServer.Reply;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.LlmMessage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** OpenAI's /v1/chat/completions, non-streaming, as far as claw4j uses it. */
class OpenAiWireTest extends ProviderWireContract {

    @Override
    String provider() {
        return "openai";
    }

    @Override
    String path() {
        return "/v1/chat/completions";
    }

    @Override
    String textReply(String text, int inputTokens, int outputTokens) {
        return completion(JSON.createObjectNode().put("role", "assistant").put("content", text), "stop",
                inputTokens, outputTokens);
    }

    @Override
    String toolCallReply(String callId, String tool, String argumentsJson) {
        ObjectNode message = JSON.createObjectNode().put("role", "assistant").putNull("content");
        ObjectNode call = message.putArray("tool_calls").addObject().put("id", callId).put("type", "function");
        call.putObject("function").put("name", tool).put("arguments", argumentsJson);
        return completion(message, "tool_calls", 20, 8);
    }

    private static String completion(ObjectNode message, String finishReason, int in, int out) {
        ObjectNode root = JSON.createObjectNode()
                .put("id", "chatcmpl-1").put("object", "chat.completion").put("created", 1_700_000_000)
                .put("model", "test-model");
        root.putArray("choices").addObject().put("index", 0).put("finish_reason", finishReason).set("message", message);
        root.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
        return root.toString();
    }

    @Override
    String errorBody(String message) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("message", message).put("type", "server_error").putNull("code");
        return root.toString();
    }

    @Override
    void assertKeySent(Received request) {
        assertThat(request.header("Authorization")).isEqualTo("Bearer " + KEY);
    }

    @Override
    void assertToolRoundTripSent(JsonNode request) {
        JsonNode messages = request.path("messages");
        assertThat(messages).hasSize(4);
        assertThat(messages.get(0).path("role").asText()).isEqualTo("system");
        assertThat(text(messages.get(0).path("content"))).isEqualTo("You are claw.");
        assertThat(messages.get(1).path("role").asText()).isEqualTo("user");
        assertThat(text(messages.get(1).path("content"))).isEqualTo("list files");

        JsonNode assistant = messages.get(2);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        JsonNode call = assistant.path("tool_calls").get(0);
        assertThat(call.path("id").asText()).isEqualTo("call_1");
        assertThat(call.path("type").asText()).isEqualTo("function");
        assertThat(call.path("function").path("name").asText()).isEqualTo("bash");
        assertThat(call.path("function").path("arguments").asText()).contains("\"command\"").contains("\"ls\"");

        JsonNode result = messages.get(3);
        assertThat(result.path("role").asText()).isEqualTo("tool");
        assertThat(result.path("tool_call_id").asText()).isEqualTo("call_1");
        assertThat(text(result.path("content"))).isEqualTo("a.txt\nb.txt");

        JsonNode tool = request.path("tools").get(0);
        assertThat(tool.path("type").asText()).isEqualTo("function");
        JsonNode function = tool.path("function");
        assertThat(function.path("name").asText()).isEqualTo("bash");
        assertThat(function.path("description").asText()).isEqualTo("Run a shell command in the workspace");
        JsonNode parameters = function.path("parameters");
        assertThat(parameters.path("type").asText()).isEqualTo("object");
        assertThat(parameters.path("properties").path("command").path("type").asText()).isEqualTo("string");
        assertThat(parameters.path("properties").path("command").path("description").asText())
                .isEqualTo("the command line");
        assertThat(parameters.path("properties").path("timeoutSeconds").path("type").asText()).isEqualTo("integer");
        assertThat(parameters.path("required")).extracting(JsonNode::asText).containsExactly("command");
    }

    @Test
    void maxTokensIsTheSmallerOfRequestAndSettings() {
        fake.then(Reply.json(textReply("ok", 1, 1)));

        gateway(0).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        JsonNode sent = fake.last().json();
        JsonNode max = sent.has("max_completion_tokens") ? sent.get("max_completion_tokens") : sent.get("max_tokens");
        assertThat(max.asInt()).isEqualTo(1000);
    }

    @Test
    void localServerWithoutKeyGetsNoAuthorizationHeader() {
        fake.then(Reply.json(textReply("local answer", 1, 1)));
        ModelSettings local = new ModelSettings(ModelSettings.Provider.OPENAI, "llama3", "", fake.baseUrl(),
                4096, Duration.ofSeconds(10), 0);
        ModelGateway gateway = new ModelGateway(ModelClients.create(local), RetryPolicy.withMaxRetries(0),
                sleeps::add, calls::add, 4096);

        HostMessage answer = gateway.answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOf(HostMessage.LlmResponse.class);
        assertThat(fake.last().header("Authorization")).isNull();
    }

    @Test
    void aModelThatTakesImagesIsSentTheTurnsPicturesAsDataUrlsWithTheLastUserMessage() {
        fake.then(Reply.json(textReply("a cat", 1, 1)));
        ModelImage png = new ModelImage("image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        ModelGateway gateway = new ModelGateway(ModelClients.create(settings(0).withImages(true)),
                RetryPolicy.withMaxRetries(0), sleeps::add, calls::add, 4096);

        gateway.answer("g1", request("r1", List.of(LlmMessage.user("earlier"), LlmMessage.assistant("ok", List.of()),
                LlmMessage.user("what is this?")), List.of()), List.of(png));

        JsonNode messages = fake.last().json().path("messages");
        JsonNode last = messages.get(messages.size() - 1);
        assertThat(last.path("content").isArray()).isTrue();
        assertThat(last.path("content").get(0).path("text").asText()).isEqualTo("what is this?");
        assertThat(last.path("content").get(1).path("type").asText()).isEqualTo("image_url");
        assertThat(last.path("content").get(1).path("image_url").path("url").asText())
                .isEqualTo("data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png.data()));
        assertThat(messages.toString()).as("only the last user message carries it")
                .containsOnlyOnce("data:image/png;base64,");
        assertThat(gateway.acceptsImages("g1")).isTrue();
    }

    @Test
    void aModelWithoutImagesIsSentTheTextAlone() {
        fake.then(Reply.json(textReply("ok", 1, 1)));
        ModelGateway gateway = new ModelGateway(ModelClients.create(settings(0)), RetryPolicy.withMaxRetries(0),
                sleeps::add, calls::add, 4096);

        gateway.answer("g1", request("r1", List.of(LlmMessage.user("what is this?")), List.of()),
                List.of(new ModelImage("image/png", new byte[] {1, 2, 3})));

        assertThat(fake.last().body()).doesNotContain("image_url").contains("what is this?");
        assertThat(gateway.acceptsImages("g1")).isFalse();
    }
}
