package dev.claw4j.core.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.core.llm.FakeProviderServer.Received;
import dev.claw4j.core.llm.FakeProviderServer.Reply;
import dev.claw4j.protocol.LlmMessage;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Google's Gemini API, {@code models/<name>:generateContent}, non-streaming, as far as claw4j uses it. */
class GeminiWireTest extends ProviderWireContract {

    @Override
    String provider() {
        return "gemini";
    }

    @Override
    String path() {
        return "/v1/models/test-model:generateContent";
    }

    @Override
    String textReply(String text, int inputTokens, int outputTokens) {
        ObjectNode content = JSON.createObjectNode().put("role", "model");
        content.putArray("parts").addObject().put("text", text);
        return generated(content, inputTokens, outputTokens);
    }

    /** Gemini's functionCall carries no id; claw4j numbers the calls of one answer itself. */
    @Override
    String toolCallReply(String callId, String tool, String argumentsJson) {
        ObjectNode content = JSON.createObjectNode().put("role", "model");
        try {
            content.putArray("parts").addObject().putObject("functionCall").put("name", tool)
                    .set("args", JSON.readTree(argumentsJson));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return generated(content, 20, 8);
    }

    private static String generated(ObjectNode content, int in, int out) {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("candidates").addObject().put("finishReason", "STOP").put("index", 0).set("content", content);
        root.putObject("usageMetadata").put("promptTokenCount", in).put("candidatesTokenCount", out)
                .put("totalTokenCount", in + out);
        root.put("modelVersion", "test-model").put("responseId", "resp-1");
        return root.toString();
    }

    @Override
    String errorBody(String message) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("code", 500).put("message", message).put("status", "INTERNAL");
        return root.toString();
    }

    @Override
    void assertKeySent(Received request) {
        assertThat(request.header("x-goog-api-key")).isEqualTo(KEY);
        assertThat(request.header("Authorization")).isNull();
    }

    @Override
    void assertModelSent(Received request) {
        assertThat(request.path()).isEqualTo("/v1/models/test-model:generateContent");
    }

    @Override
    void assertToolRoundTripSent(JsonNode request) {
        assertThat(text(request.path("systemInstruction").path("parts"))).isEqualTo("You are claw.");
        JsonNode contents = request.path("contents");
        assertThat(contents).hasSize(3);
        assertThat(contents.get(0).path("role").asText()).isEqualTo("user");
        assertThat(text(contents.get(0).path("parts"))).isEqualTo("list files");

        JsonNode model = contents.get(1);
        assertThat(model.path("role").asText()).isEqualTo("model");
        JsonNode call = model.path("parts").get(0).path("functionCall");
        assertThat(call.path("name").asText()).isEqualTo("bash");
        assertThat(call.path("args").path("command").asText()).isEqualTo("ls");

        JsonNode response = contents.get(2).path("parts").get(0).path("functionResponse");
        assertThat(response.path("name").asText()).isEqualTo("bash");
        assertThat(response.path("response").toString()).contains("a.txt").contains("b.txt");

        // LangChain4j sends "tools" as one object; the API also takes a list of them.
        JsonNode tools = request.path("tools").isArray() ? request.path("tools").get(0) : request.path("tools");
        JsonNode tool = tools.path("functionDeclarations").get(0);
        assertThat(tool.path("name").asText()).isEqualTo("bash");
        assertThat(tool.path("description").asText()).isEqualTo("Run a shell command in the workspace");
        JsonNode schema = tool.path("parameters");
        assertThat(schema.path("type").asText()).isEqualToIgnoringCase("object");
        assertThat(schema.path("properties").path("command").path("type").asText()).isEqualToIgnoringCase("string");
        assertThat(schema.path("required")).extracting(JsonNode::asText).containsExactly("command");
    }

    /** The wire shape without the gateway: the real request path carries the model name. */
    @Test
    void modelNameIsInThePathNotTheBody() {
        fake.then(Reply.json(textReply("hi", 1, 1)));

        gateway(0).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(fake.last().path()).isEqualTo("/v1/models/test-model:generateContent");
        assertThat(fake.last().json().path("generationConfig").path("maxOutputTokens").asInt()).isEqualTo(1000);
    }
}
