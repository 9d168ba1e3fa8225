package dev.claw4j.core.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.llm.FakeProviderServer.Received;
import dev.claw4j.core.llm.FakeProviderServer.Reply;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.ToolSpec;
import dev.claw4j.protocol.Usage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway and the real LangChain4j client against a wire-level fake of one provider. Subclasses supply
 * the provider's JSON and check the provider-specific parts of what was sent.
 */
abstract class ProviderWireContract {
    static final String KEY = "sk-test-secret-4f7a9c";
    static final ObjectMapper JSON = new ObjectMapper();
    static final ToolSpec BASH = new ToolSpec("bash", "Run a shell command in the workspace", """
            {"type": "object",
             "properties": {
               "command": {"type": "string", "description": "the command line"},
               "timeoutSeconds": {"type": "integer", "description": "give up after this long"}
             },
             "required": ["command"]}""");

    FakeProviderServer fake;
    final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    final List<ModelCallRecord> calls = new CopyOnWriteArrayList<>();

    abstract String provider();

    abstract String path();

    abstract String textReply(String text, int inputTokens, int outputTokens);

    abstract String toolCallReply(String callId, String tool, String argumentsJson);

    abstract String errorBody(String message);

    abstract void assertKeySent(Received request);

    /** Most APIs name the model in the body; Gemini names it in the path. */
    void assertModelSent(Received request) {
        assertThat(request.json().path("model").asText()).isEqualTo("test-model");
    }

    /** The second request of a tool round trip: the tool call, its result and the tool's schema. */
    abstract void assertToolRoundTripSent(JsonNode request);

    @BeforeEach
    void startFake() throws IOException {
        fake = new FakeProviderServer();
    }

    @AfterEach
    void stopFake() {
        fake.close();
    }

    ModelSettings settings(int maxRetries) {
        return new ModelSettings(ModelSettings.Provider.parse(provider()), "test-model", KEY, fake.baseUrl(),
                4096, Duration.ofSeconds(10), maxRetries);
    }

    ModelGateway gateway(int maxRetries) {
        ModelSettings settings = settings(maxRetries);
        return new ModelGateway(ModelClients.create(settings), RetryPolicy.withMaxRetries(maxRetries), sleeps::add,
                calls::add, settings.maxTokens());
    }

    static AgentMessage.LlmRequest request(String id, List<LlmMessage> messages, List<ToolSpec> tools) {
        return new AgentMessage.LlmRequest(id, "t1", "You are claw.", messages, tools, 1000);
    }

    @Test
    void plainTextAnswer() {
        fake.then(Reply.json(textReply("Hello from the fake!", 12, 5)));

        HostMessage answer = gateway(2).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOfSatisfying(HostMessage.LlmResponse.class, r -> {
            assertThat(r.id()).isEqualTo("r1");
            assertThat(r.message().role()).isEqualTo(LlmMessage.ASSISTANT);
            assertThat(r.message().text()).isEqualTo("Hello from the fake!");
            assertThat(r.message().toolCalls()).isEmpty();
            assertThat(r.usage()).isEqualTo(new Usage(12, 5));
            assertThat(r.stopReason()).isEqualTo(ModelReply.END_TURN);
        });
        Received sent = fake.last();
        assertThat(sent.method()).isEqualTo("POST");
        assertThat(sent.path()).isEqualTo(path());
        assertKeySent(sent);
        assertModelSent(sent);
        assertThat(sent.body()).contains("You are claw.").contains("hi");
        assertThat(calls).singleElement().satisfies(c -> {
            assertThat(c.groupId()).isEqualTo("g1");
            assertThat(c.model()).isEqualTo(provider() + "/test-model");
            assertThat(c.outcome()).isEqualTo(ModelCallRecord.Outcome.OK);
            assertThat(c.attempts()).isEqualTo(1);
            assertThat(c.usage()).isEqualTo(new Usage(12, 5));
            assertThat(c.error()).isNull();
        });
        assertThat(sleeps).isEmpty();
    }

    @Test
    void toolCallRoundTrip() throws IOException {
        fake.then(Reply.json(toolCallReply("call_1", "bash", "{\"command\":\"ls\"}")))
                .then(Reply.json(textReply("There are two files.", 40, 6)));
        ModelGateway gateway = gateway(2);
        LlmMessage ask = LlmMessage.user("list files");

        HostMessage first = gateway.answer("g1", request("r1", List.of(ask), List.of(BASH)));

        assertThat(first).isInstanceOf(HostMessage.LlmResponse.class);
        HostMessage.LlmResponse response = (HostMessage.LlmResponse) first;
        assertThat(response.stopReason()).isEqualTo(ModelReply.TOOL_USE);
        assertThat(response.message().toolCalls()).singleElement().satisfies(call -> {
            assertThat(call.id()).isEqualTo("call_1");
            assertThat(call.name()).isEqualTo("bash");
            assertThat(JSON.readTree(call.arguments())).isEqualTo(JSON.readTree("{\"command\":\"ls\"}"));
        });

        ToolCall call = response.message().toolCalls().getFirst();
        HostMessage second = gateway.answer("g1", request("r2",
                List.of(ask, response.message(), LlmMessage.toolResult(call, "a.txt\nb.txt")), List.of(BASH)));

        assertThat(second).isInstanceOfSatisfying(HostMessage.LlmResponse.class, r -> {
            assertThat(r.id()).isEqualTo("r2");
            assertThat(r.message().text()).isEqualTo("There are two files.");
        });
        assertThat(fake.received()).hasSize(2);
        assertToolRoundTripSent(fake.last().json());
        assertKeySent(fake.last());
    }

    @Test
    void rateLimitedThenAnswersHonouringRetryAfter() {
        fake.then(new Reply(429, Map.of("Content-Type", "application/json", "Retry-After", "7"),
                        errorBody("Rate limit reached, slow down")))
                .then(Reply.json(textReply("finally", 3, 1)));

        HostMessage answer = gateway(4).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOf(HostMessage.LlmResponse.class);
        assertThat(fake.received()).hasSize(2);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(7));
        assertThat(calls).singleElement().satisfies(c -> {
            assertThat(c.ok()).isTrue();
            assertThat(c.attempts()).isEqualTo(2);
        });
    }

    @Test
    void serverErrorsUntilTheGatewayGivesUp() {
        fake.then(Reply.status(500, errorBody("internal error, key " + KEY + " looked fine")));

        HostMessage answer = gateway(3).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(fake.received()).hasSize(4);
        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class, e -> {
            assertThat(e.id()).isEqualTo("r1");
            assertThat(e.code()).isEqualTo(ProtocolError.MODEL_FAILED);
            assertThat(e.message())
                    .isEqualTo("The model is not answering right now (HTTP 500 after 4 tries). Try again in a minute.")
                    .doesNotContain(KEY);
        });
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4));
        assertThat(calls).singleElement().satisfies(c -> {
            assertThat(c.outcome()).isEqualTo(ModelCallRecord.Outcome.FAILED);
            assertThat(c.attempts()).isEqualTo(4);
            assertThat(c.usage()).isEqualTo(Usage.NONE);
            assertThat(c.error()).contains("HTTP 500").doesNotContain(KEY);
        });
    }

    @Test
    void malformedBodyIsAReadableErrorNotAnException() {
        fake.then(new Reply(200, Map.of("Content-Type", "application/json"), "<html>this is not JSON</html>"));

        HostMessage answer = gateway(3).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class, e -> {
            assertThat(e.code()).isEqualTo(ProtocolError.MODEL_FAILED);
            assertThat(e.message()).contains("cannot read").contains("model.baseUrl");
        });
        assertThat(fake.received()).hasSize(1);
        assertThat(calls).singleElement().satisfies(c -> assertThat(c.ok()).isFalse());
    }

    @Test
    void refusedKeyIsNotRetriedAndNeverQuoted() {
        fake.then(Reply.status(401, errorBody("Incorrect API key provided: " + KEY)));

        HostMessage answer = gateway(3).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class, e -> assertThat(e.message())
                .isEqualTo("The model provider refused the key (HTTP 401): the admin should check model.apiKey.")
                .doesNotContain(KEY));
        assertThat(fake.received()).hasSize(1);
        assertThat(calls).singleElement().satisfies(c -> assertThat(c.error()).contains("401").doesNotContain(KEY));
    }

    @Test
    void badRequestSaysWhatTheProviderSaid() {
        fake.then(Reply.status(400, errorBody("prompt is too long")));

        HostMessage answer = gateway(3).answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class, e -> assertThat(e.message())
                .isEqualTo("The model provider rejected the request (HTTP 400: prompt is too long)."));
        assertThat(fake.received()).hasSize(1);
    }

    @Test
    void unreachableServerIsRetriedThenReported() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        ModelSettings settings = new ModelSettings(ModelSettings.Provider.parse(provider()), "test-model", KEY,
                "http://127.0.0.1:" + closedPort + "/v1", 4096, Duration.ofSeconds(5), 1);
        ModelGateway gateway = new ModelGateway(ModelClients.create(settings), RetryPolicy.withMaxRetries(1),
                sleeps::add, calls::add, 4096);

        HostMessage answer = gateway.answer("g1", request("r1", List.of(LlmMessage.user("hi")), List.of()));

        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class, e -> assertThat(e.message())
                .startsWith("The model server cannot be reached (after 2 tries)"));
        assertThat(sleeps).hasSize(1);
    }

    /** Text of a message's content, whether the provider sent a string or a list of blocks. */
    static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder out = new StringBuilder();
        content.forEach(block -> out.append(block.path("text").asText()));
        return out.toString();
    }
}
