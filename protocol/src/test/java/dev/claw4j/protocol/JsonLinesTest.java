package dev.claw4j.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class JsonLinesTest {
    static Stream<HostMessage> hostMessages() {
        return Stream.of(
                new HostMessage.TurnStart("t1", "g1", "be brief",
                        List.of(new ChatMessage("ann", "hi\nthere \"quoted\" ✓", "2026-11-27T10:00:00Z")),
                        new ToolSettings(1000, 500, 7)),
                new HostMessage.TurnMessage("t1", List.of(new ChatMessage("bob", "also this", null))),
                new HostMessage.LlmResponse("r1",
                        LlmMessage.assistant("let me look", List.of(new ToolCall("c1", "bash", "{\"command\":\"ls\"}"))),
                        new Usage(12, 34), "tool_use"),
                HostMessage.HostResult.ok("h1", "sent"),
                HostMessage.HostResult.failed("h2", "not your chat"),
                new HostMessage.Shutdown("idle"),
                new ProtocolError("r9", ProtocolError.BUDGET_EXCEEDED, "over budget"));
    }

    static Stream<AgentMessage> agentMessages() {
        return Stream.of(
                new AgentMessage.Ready("0.1.0", List.of("bash", "read_file")),
                new AgentMessage.LlmRequest("r1", "t1", "system text",
                        List.of(LlmMessage.user("hello"),
                                LlmMessage.assistant(null, List.of(new ToolCall("c1", "bash", "{}"))),
                                LlmMessage.toolResult(new ToolCall("c1", "bash", "{}"), "exit 0")),
                        List.of(new ToolSpec("bash", "runs a command", "{\"type\":\"object\"}")), 1024),
                new AgentMessage.HostCall("h1", "t1", "send_message", Map.of("text", "working on it")),
                new AgentMessage.Event("t1", AgentMessage.Event.TOOL_FINISHED, "bash", "ls", true, 12L),
                new AgentMessage.TurnDone("t1", "done", new Usage(100, 20), 2),
                new ProtocolError(null, ProtocolError.AGENT_FAILED, "boom"));
    }

    @ParameterizedTest
    @MethodSource("hostMessages")
    void everyHostMessageRoundTrips(HostMessage message) {
        String line = JsonLines.encode(message);
        assertThat(line).doesNotContain("\n").startsWith("{\"v\":1,\"type\":\"" + message.type() + "\"");
        assertThat(JsonLines.decodeFromHost(line)).isEqualTo(new Decoded.Ok<>(message));
    }

    @ParameterizedTest
    @MethodSource("agentMessages")
    void everyAgentMessageRoundTrips(AgentMessage message) {
        String line = JsonLines.encode(message);
        assertThat(line).doesNotContain("\n");
        assertThat(JsonLines.decodeFromAgent(line)).isEqualTo(new Decoded.Ok<>(message));
    }

    @Test
    void everyWireTypeIsCoveredByTheRoundTrips() {
        var covered = Stream.concat(hostMessages(), agentMessages()).map(Message::type).distinct().toList();
        assertThat(covered).containsExactlyInAnyOrderElementsOf(MessageTypes.BY_NAME.keySet());
    }

    @Test
    void truncatedLineIsABadLine() {
        String line = JsonLines.encode(new AgentMessage.TurnDone("t1", "done", Usage.NONE));
        assertThat(codeOf(JsonLines.decodeFromAgent(line.substring(0, line.length() / 2))))
                .isEqualTo(ProtocolError.BAD_LINE);
    }

    @Test
    void wrongVersionIsRefusedWithTheRequestId() {
        var decoded = JsonLines.decodeFromAgent("{\"v\":2,\"type\":\"llm.request\",\"id\":\"r7\"}");
        assertThat(decoded).isEqualTo(new Decoded.Failed<>(new ProtocolError("r7", ProtocolError.BAD_VERSION,
                "protocol version must be \"v\": 1, got 2")));
        assertThat(codeOf(JsonLines.decodeFromAgent("{\"type\":\"ready\"}"))).isEqualTo(ProtocolError.BAD_VERSION);
        assertThat(codeOf(JsonLines.decodeFromAgent("{\"v\":\"1\",\"type\":\"ready\"}")))
                .isEqualTo(ProtocolError.BAD_VERSION);
    }

    @Test
    void unknownTypesAndTypesOfTheOtherDirectionAreRefused() {
        assertThat(codeOf(JsonLines.decodeFromAgent("{\"v\":1,\"type\":\"root.please\"}")))
                .isEqualTo(ProtocolError.UNKNOWN_TYPE);
        // an agent may not pretend to be the host
        assertThat(codeOf(JsonLines.decodeFromAgent("{\"v\":1,\"type\":\"llm.response\",\"id\":\"x\"}")))
                .isEqualTo(ProtocolError.UNKNOWN_TYPE);
        assertThat(codeOf(JsonLines.decodeFromHost("{\"v\":1,\"type\":\"turn.done\"}")))
                .isEqualTo(ProtocolError.UNKNOWN_TYPE);
        assertThat(codeOf(JsonLines.decodeFromAgent("{\"v\":1}"))).isEqualTo(ProtocolError.UNKNOWN_TYPE);
    }

    @Test
    void requestsWithoutIdAreRefused() {
        assertThat(codeOf(JsonLines.decodeFromAgent("{\"v\":1,\"type\":\"host.call\",\"method\":\"send_message\"}")))
                .isEqualTo(ProtocolError.BAD_LINE);
        assertThat(codeOf(JsonLines.decodeFromAgent("{\"v\":1,\"type\":\"llm.request\",\"id\":\" \",\"messages\":[]}")))
                .isEqualTo(ProtocolError.BAD_LINE);
    }

    @Test
    void wrongFieldTypesAreABadLine() {
        assertThat(codeOf(JsonLines.decodeFromAgent("{\"v\":1,\"type\":\"llm.request\",\"id\":\"r\",\"messages\":5}")))
                .isEqualTo(ProtocolError.BAD_LINE);
        assertThat(codeOf(JsonLines.decodeFromAgent("[1,2,3]"))).isEqualTo(ProtocolError.BAD_LINE);
        assertThat(codeOf(JsonLines.decodeFromAgent("42"))).isEqualTo(ProtocolError.BAD_LINE);
        assertThat(codeOf(JsonLines.decodeFromAgent(""))).isEqualTo(ProtocolError.BAD_LINE);
        assertThat(codeOf(JsonLines.decodeFromAgent(null))).isEqualTo(ProtocolError.BAD_LINE);
    }

    @Test
    void aTwoMebibyteLineIsTooLong() {
        String big = "{\"v\":1,\"type\":\"turn.done\",\"reply\":\"" + "x".repeat(2 << 20) + "\"}";
        assertThat(codeOf(JsonLines.decodeFromAgent(big))).isEqualTo(ProtocolError.LINE_TOO_LONG);
    }

    @Test
    void deepNestingIsRefusedNotAStackOverflow() {
        String deep = "{\"v\":1,\"type\":\"event\",\"detail\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}";
        assertThat(codeOf(JsonLines.decodeFromAgent(deep))).isEqualTo(ProtocolError.BAD_LINE);
    }

    @Test
    void binaryGarbageNeverThrows() {
        Random random = new Random(42);
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = new byte[random.nextInt(300)];
            random.nextBytes(bytes);
            String garbage = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(JsonLines.decodeFromAgent(garbage)).isInstanceOf(Decoded.Failed.class);
            assertThat(JsonLines.decodeFromHost(garbage)).isInstanceOf(Decoded.Failed.class);
        }
    }

    @Test
    void unknownFieldsAreIgnoredForForwardCompatibility() {
        var decoded = JsonLines.decodeFromAgent("{\"v\":1,\"type\":\"turn.done\",\"turnId\":\"t\",\"reply\":\"r\",\"extra\":1}");
        assertThat(decoded).isEqualTo(new Decoded.Ok<>(new AgentMessage.TurnDone("t", "r", null)));
    }

    private static String codeOf(Decoded<?> decoded) {
        assertThat(decoded).isInstanceOf(Decoded.Failed.class);
        return ((Decoded.Failed<?>) decoded).error().code();
    }
}
