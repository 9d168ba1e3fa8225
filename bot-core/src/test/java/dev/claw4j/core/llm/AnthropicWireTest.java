package dev.claw4j.core.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.core.llm.FakeProviderServer.Received;
import dev.claw4j.core.llm.FakeProviderServer.Reply;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ProtocolError;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Anthropic's /v1/messages, non-streaming, as far as claw4j uses it. */
class AnthropicWireTest extends ProviderWireContract {

    @Override
    String provider() {
        return "anthropic";
    }

    @Override
    String path() {
        return "/v1/messages";
    }

    @Override
    String textReply(String text, int inputTokens, int outputTokens) {
        ObjectNode root = message("end_turn", inputTokens, outputTokens);
        root.withArray("content").addObject().put("type", "text").put("text", text);
        return root.toString();
    }

    @Override
    String toolCallReply(String callId, String tool, String argumentsJson) {
        ObjectNode root = message("tool_use", 20, 8);
        root.withArray("content").addObject().put("type", "text").put("text", "Let me look.");
        try {
            root.withArray("content").addObject().put("type", "tool_use").put("id", callId).put("name", tool)
                    .set("input", JSON.readTree(argumentsJson));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return root.toString();
    }

    private static ObjectNode message(String stopReason, int in, int out) {
        ObjectNode root = JSON.createObjectNode().put("id", "msg_1").put("type", "message").put("role", "assistant")
                .put("model", "test-model").put("stop_reason", stopReason).putNull("stop_sequence");
        root.putArray("content");
        root.putObject("usage").put("input_tokens", in).put("output_tokens", out);
        return root;
    }

    @Override
    String errorBody(String message) {
        ObjectNode root = JSON.createObjectNode().put("type", "error");
        root.putObject("error").put("type", "api_error").put("message", message);
        return root.toString();
    }

    @Override
    void assertKeySent(Received request) {
        assertThat(request.header("x-api-key")).isEqualTo(KEY);
        assertThat(request.header("anthropic-version")).isNotBlank();
        assertThat(request.header("Authorization")).isNull();
    }

    @Override
    void assertToolRoundTripSent(JsonNode request) {
        assertThat(text(request.path("system"))).isEqualTo("You are claw.");
        assertThat(request.path("max_tokens").asInt()).isEqualTo(1000);
        JsonNode messages = request.path("messages");
        assertThat(messages).hasSize(3);
        assertThat(messages.get(0).path("role").asText()).isEqualTo("user");
        assertThat(text(messages.get(0).path("content"))).isEqualTo("list files");

        JsonNode assistant = messages.get(1);
        assertThat(assistant.path("role").asText()).isEqualTo("assistant");
        JsonNode toolUse = block(assistant, "tool_use");
        assertThat(toolUse.path("id").asText()).isEqualTo("call_1");
        assertThat(toolUse.path("name").asText()).isEqualTo("bash");
        assertThat(toolUse.path("input").path("command").asText()).isEqualTo("ls");

        JsonNode result = messages.get(2);
        assertThat(result.path("role").asText()).isEqualTo("user");
        JsonNode toolResult = block(result, "tool_result");
        assertThat(toolResult.path("tool_use_id").asText()).isEqualTo("call_1");
        assertThat(text(toolResult.path("content"))).isEqualTo("a.txt\nb.txt");

        JsonNode tool = request.path("tools").get(0);
        assertThat(tool.path("name").asText()).isEqualTo("bash");
        assertThat(tool.path("description").asText()).isEqualTo("Run a shell command in the workspace");
        JsonNode schema = tool.path("input_schema");
        assertThat(schema.path("type").asText()).isEqualTo("object");
        assertThat(schema.path("properties").path("command").path("type").asText()).isEqualTo("string");
        assertThat(schema.path("properties").path("command").path("description").asText())
                .isEqualTo("the command line");
        assertThat(schema.path("properties").path("timeoutSeconds").path("type").asText()).isEqualTo("integer");
        assertThat(schema.path("required")).extracting(JsonNode::asText).containsExactly("command");
    }

    private static JsonNode block(JsonNode message, String type) {
        for (JsonNode block : message.path("content")) {
            if (type.equals(block.path("type").asText())) {
                return block;
            }
        }
        throw new AssertionError("no " + type + " block in " + message);
    }

    @Test
    void consecutiveUserMessagesAreSentAsOne() {
        fake.then(Reply.json(textReply("ok", 1, 1)));

        gateway(0).answer("g1", request("r1",
                List.of(LlmMessage.user("first"), LlmMessage.user("second")), List.of()));

        JsonNode messages = fake.last().json().path("messages");
        assertThat(messages).hasSize(1);
        assertThat(text(messages.get(0).path("content"))).isEqualTo("first\n\nsecond");
    }

    @Test
    void overloadedIsRetried() {
        fake.then(Reply.status(529, errorBody("Overloaded")))
                .then(Reply.json(textReply("back", 1, 1)));

        HostMessage answer = gateway(2).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOf(HostMessage.LlmResponse.class);
        assertThat(fake.received()).hasSize(2);
    }

    @Test
    void retryAfterIsCappedSoATurnIsNotParkedForAnHour() {
        fake.then(new Reply(429, Map.of("Retry-After", "3600"), errorBody("slow down")));

        HostMessage answer = gateway(1).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class, e -> assertThat(e.message())
                .isEqualTo("The model provider is rate-limiting us (HTTP 429 after 2 tries). Try again in a minute."));
        assertThat(sleeps).containsExactly(java.time.Duration.ofSeconds(60));
    }

    @Test
    void aModelThatTakesImagesIsSentThemAsBase64ImageBlocksWithTheLastUserMessage() {
        fake.then(Reply.json(textReply("a cat", 1, 1)));
        ModelImage jpeg = new ModelImage("image/jpeg", new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2});
        ModelGateway gateway = new ModelGateway(ModelClients.create(settings(0).withImages(true)),
                RetryPolicy.withMaxRetries(0), sleeps::add, calls::add, 4096);

        gateway.answer("g1", request("r1", List.of(LlmMessage.user("what is this?")), List.of()), List.of(jpeg));

        JsonNode messages = fake.last().json().path("messages");
        JsonNode content = messages.get(messages.size() - 1).path("content");
        assertThat(content).anySatisfy(block -> {
            assertThat(block.path("type").asText()).isEqualTo("image");
            assertThat(block.path("source").path("type").asText()).isEqualTo("base64");
            assertThat(block.path("source").path("media_type").asText()).isEqualTo("image/jpeg");
            assertThat(block.path("source").path("data").asText())
                    .isEqualTo(java.util.Base64.getEncoder().encodeToString(jpeg.data()));
        });
        assertThat(content).anySatisfy(block -> assertThat(block.path("text").asText()).isEqualTo("what is this?"));
    }
}
