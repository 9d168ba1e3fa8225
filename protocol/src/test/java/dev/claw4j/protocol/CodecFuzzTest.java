package dev.claw4j.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzzing of the codec: whatever a sandbox writes, decoding yields a message or a typed
 * error, never an exception; everything we encode decodes to itself. The number of tries is set in
 * junit-platform.properties and can be raised on the command line (-Djqwik.tries.default=200000).
 */
class CodecFuzzTest {

    @Property
    void anyTextDecodesToAMessageOrATypedError(@ForAll("lines") String line) {
        assertThat(JsonLines.decodeFromAgent(line)).isNotNull();
        assertThat(JsonLines.decodeFromHost(line)).isNotNull();
    }

    @Property
    void mutatedValidLinesNeverThrow(@ForAll("messages") AgentMessage message, @ForAll("edits") List<int[]> edits) {
        StringBuilder line = new StringBuilder(JsonLines.encode(message));
        for (int[] e : edits) {
            if (line.isEmpty()) {
                break;
            }
            int at = Math.floorMod(e[1], line.length());
            switch (Math.floorMod(e[0], 4)) {
                case 0 -> line.deleteCharAt(at);
                case 1 -> line.insert(at, (char) e[2]);
                case 2 -> line.setCharAt(at, (char) e[2]);
                default -> line.setLength(at);
            }
        }
        Decoded<AgentMessage> decoded = JsonLines.decodeFromAgent(line.toString());
        if (decoded instanceof Decoded.Failed<AgentMessage> failed) {
            assertThat(failed.error().code()).isIn(ProtocolError.BAD_LINE, ProtocolError.BAD_VERSION,
                    ProtocolError.UNKNOWN_TYPE, ProtocolError.LINE_TOO_LONG);
        }
    }

    @Property
    void everyAgentMessageWeEncodeDecodesToItself(@ForAll("messages") AgentMessage message) {
        String line = JsonLines.encode(message);
        assertThat(line).doesNotContain("\n");
        assertThat(JsonLines.decodeFromAgent(line)).isEqualTo(new Decoded.Ok<>(message));
    }

    @Property
    void theLineReaderNeverHoldsMoreThanItsCap(@ForAll("streams") byte[] stream) throws IOException {
        LineReader reader = new LineReader(new ByteArrayInputStream(stream), 64);
        int lines = 0;
        while (true) {
            LineReader.Line line = reader.next();
            if (line instanceof LineReader.Line.End) {
                break;
            }
            if (line instanceof LineReader.Line.Text text) {
                assertThat(text.text().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(64);
            }
            lines++;
            assertThat(lines).isLessThanOrEqualTo(stream.length + 1);
        }
    }

    @Provide
    Arbitrary<String> lines() {
        Arbitrary<String> json = Arbitraries.strings().withChars("{}[]\":,0123456789.-eEtrufalsn \\/vtypeid")
                .ofMaxLength(200);
        Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(300);
        Arbitrary<String> typed = Combinators.combine(Arbitraries.of("ready", "llm.request", "host.call", "event",
                        "turn.done", "error", "llm.response", "turn.start", "x"), Arbitraries.integers().between(-1, 3),
                        Arbitraries.strings().ofMaxLength(40))
                .as((type, v, rest) -> "{\"v\":" + v + ",\"type\":\"" + type + "\",\"id\":" + rest + "}");
        return Arbitraries.oneOf(json, anything, typed);
    }

    @Provide
    Arbitrary<List<int[]>> edits() {
        return Arbitraries.integers().between(0, 1 << 16).array(int[].class).ofSize(3).list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<byte[]> streams() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(600),
                Arbitraries.of((byte) '\n', (byte) 'a', (byte) 0xC3, (byte) '{').array(byte[].class).ofMaxSize(600));
    }

    @Provide
    Arbitrary<AgentMessage> messages() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(60);
        Arbitrary<String> id = Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12);
        Arbitrary<LlmMessage> llm = Combinators.combine(Arbitraries.of("user", "assistant", "tool"), text,
                        Combinators.combine(id, text, text).as(ToolCall::new).list().ofMaxSize(2))
                .as((role, t, calls) -> new LlmMessage(role, t, calls, null, null));
        return Arbitraries.oneOf(
                Combinators.combine(text, text.list().ofMaxSize(3)).as(AgentMessage.Ready::new),
                Combinators.combine(id, text, text, llm.list().ofMaxSize(3),
                                Combinators.combine(text, text, text).as(ToolSpec::new).list().ofMaxSize(2),
                                Arbitraries.integers().between(1, 100000).injectNull(0.3))
                        .as(AgentMessage.LlmRequest::new),
                Combinators.combine(id, text, text, Arbitraries.maps(text, text).ofMaxSize(3))
                        .as((i, turn, method, args) -> new AgentMessage.HostCall(i, turn, method, Map.copyOf(args))),
                Combinators.combine(text, text, text, text, Arbitraries.of(true, false).injectNull(0.3),
                        Arbitraries.longs().injectNull(0.3)).as(AgentMessage.Event::new),
                Combinators.combine(text, text, Arbitraries.longs().between(0, 1 << 30),
                        Arbitraries.integers().between(0, 50))
                        .as((turn, reply, tokens, follow) -> new AgentMessage.TurnDone(turn, reply,
                                new Usage(tokens, tokens), follow)),
                Combinators.combine(id.injectNull(0.3), text, text).as(ProtocolError::new));
    }
}
