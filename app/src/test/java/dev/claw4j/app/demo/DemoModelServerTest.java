package dev.claw4j.app.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.llm.ModelClient;
import dev.claw4j.core.llm.ModelClients;
import dev.claw4j.core.llm.ModelReply;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.ToolSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo model driven by claw4j's real OpenAI client (LangChain4j), the way {@code ./claw4j demo} uses it. */
class DemoModelServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ToolSpec BASH = new ToolSpec("bash", "Runs a shell command", """
            {"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]}""");

    private DemoModelServer server;
    private ModelClient client;

    @BeforeEach
    void start() throws Exception {
        server = new DemoModelServer(0).start();
        client = ModelClients.create(ModelSettings.of("openai", DemoModelServer.MODEL, "", server.baseUrl()));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theDemoKeepsOnlyTheLastThousandRequestsButCountsThemAll() throws Exception {
        server.close();
        server = new DemoModelServer(0, 1000).start();
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 1005; i++) {
            String body = "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hello " + i + "\"}]}";
            http.send(HttpRequest.newBuilder(URI.create(server.baseUrl() + "/chat/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                    HttpResponse.BodyHandlers.discarding());
        }
        assertThat(server.requestCount()).isEqualTo(1005);
        assertThat(server.rawRequests()).hasSize(1000);
        assertThat(server.rawRequests().getFirst()).contains("hello 5\"");
        assertThat(server.requests()).hasSize(1000);
        assertThat(server.requests().getLast().toString()).contains("hello 1004");
    }

    @Test
    void answersPlainlyAndSaysWhatItIs() throws Exception {
        ModelReply reply = client.chat("You are claw.", List.of(LlmMessage.user("alice: @claw hello there")),
                List.of(BASH), 1000);

        assertThat(reply.message().toolCalls()).isEmpty();
        assertThat(reply.message().text())
                .contains("scripted demo model")
                .contains("hello there")
                .contains("@claw run: ls -la")
                .contains("model.apiKey");
        assertThat(reply.stopReason()).isEqualTo(ModelReply.END_TURN);
        assertThat(reply.usage().inputTokens()).isPositive();
        assertThat(reply.usage().outputTokens()).isPositive();
        assertThat(server.requestCount()).isEqualTo(1);
        assertThat(server.requests().getFirst().path("model").asText()).isEqualTo(DemoModelServer.MODEL);
        assertThat(server.rawRequests().getFirst()).contains("hello there").contains("You are claw.");
    }

    @Test
    void runsACommandThroughTheBashToolAndShowsItsOutput() throws Exception {
        LlmMessage ask = LlmMessage.user("alice: @claw run: ls -la /workspace");

        ModelReply first = client.chat("You are claw.", List.of(ask), List.of(BASH), 1000);

        assertThat(first.stopReason()).isEqualTo(ModelReply.TOOL_USE);
        assertThat(first.message().toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.name()).isEqualTo("bash");
            assertThat(call.id()).isNotBlank();
            assertThat(JSON.readTree(call.arguments()))
                    .isEqualTo(JSON.createObjectNode().put("command", "ls -la /workspace"));
        });

        ToolCall call = first.message().toolCalls().getFirst();
        ModelReply second = client.chat("You are claw.",
                List.of(ask, first.message(), LlmMessage.toolResult(call, "total 0\nexit code 0\n")),
                List.of(BASH), 1000);

        assertThat(second.message().toolCalls()).isEmpty();
        assertThat(second.message().text())
                .isEqualTo("Here is what `ls -la /workspace` printed:\n```\ntotal 0\nexit code 0\n```");
        assertThat(server.requests()).hasSize(2);
        JsonNode sent = server.requests().get(1);
        JsonNode toolMessage = sent.path("messages").get(sent.path("messages").size() - 1);
        assertThat(toolMessage.path("role").asText()).isEqualTo("tool");
        assertThat(toolMessage.path("tool_call_id").asText()).isEqualTo(call.id());
    }

    @Test
    void refusesBadInputWithAnOpenAiStyleError() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI completions = URI.create(server.baseUrl() + "/chat/completions");

        HttpResponse<String> notJson = http.send(HttpRequest.newBuilder(completions)
                .POST(HttpRequest.BodyPublishers.ofString("this is not json")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> noMessages = http.send(HttpRequest.newBuilder(completions)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> get = http.send(HttpRequest.newBuilder(completions).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(notJson.body()).path("error").path("message").asText()).contains("not JSON");
        assertThat(noMessages.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(noMessages.body()).path("error").path("type").asText())
                .isEqualTo("invalid_request_error");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(server.rawRequests()).containsExactly("this is not json", "{\"model\":\"x\"}");
        assertThat(server.requests()).hasSize(1);
    }
}
