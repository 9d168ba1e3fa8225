package dev.claw4j.core.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.ProtocolError;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Property-based fuzzing of what the host does with a sandbox's output: any mix of good lines, garbage,
 * binary and over-long lines is read without an exception; every good message arrives, in order; every bad
 * line is counted and answered with one error line. (Runs with a 192 MiB heap: see the pom.)
 */
class AgentOutputFuzzTest {
    private static final String GOOD = JsonLines.encode(new AgentMessage.TurnDone("t", "ok", null));

    /** One piece of agent output and whether the host should accept it. */
    record Piece(byte[] bytes, boolean good) {}

    @Property
    void anyOutputIsReadSafelyAndEveryBadLineIsAnswered(@ForAll("outputs") List<Piece> pieces) throws Exception {
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        for (Piece p : pieces) {
            stream.write(p.bytes());
            stream.write('\n');
        }
        ByteArrayOutputStream answers = new ByteArrayOutputStream();
        AtomicInteger refused = new AtomicInteger();
        AgentChannel channel = new AgentChannel("g", answers, new ByteArrayInputStream(stream.toByteArray()),
                e -> refused.incrementAndGet());
        int good = 0;
        while (true) {
            AgentMessage m = channel.receive(Duration.ofSeconds(10));
            assertThat(m).as("the channel ends, it never hangs").isNotNull();
            if (m == AgentChannel.CLOSED) {
                break;
            }
            assertThat(m).isInstanceOf(AgentMessage.TurnDone.class);
            good++;
        }
        long expectedBad = pieces.stream().filter(p -> !p.good()).count();
        assertThat(good).isEqualTo(pieces.stream().filter(Piece::good).count());
        assertThat(refused.get()).isEqualTo(expectedBad);
        assertThat(answers.toString(StandardCharsets.UTF_8).lines()).hasSize((int) expectedBad)
                .allMatch(l -> l.contains("\"type\":\"error\""));
    }

    @Provide
    Arbitrary<List<Piece>> outputs() {
        Arbitrary<Piece> good = Arbitraries.just(new Piece(GOOD.getBytes(StandardCharsets.UTF_8), true));
        Arbitrary<Piece> garbage = Arbitraries.strings().withChars("{}[]\":,abc 0123456789").ofMinLength(1)
                .ofMaxLength(80).filter(s -> !s.isBlank()).map(s -> new Piece(s.getBytes(StandardCharsets.UTF_8), false));
        Arbitrary<Piece> binary = Arbitraries.bytes().filter(b -> b != '\n' && b != '\r').array(byte[].class)
                .ofMinSize(1).ofMaxSize(80).filter(b -> !new String(b, StandardCharsets.ISO_8859_1).isBlank())
                .map(b -> new Piece(b, false));
        Arbitrary<Piece> overlong = Arbitraries.integers().between(1, 3)
                .map(n -> new Piece("y".repeat(JsonLines.MAX_LINE_BYTES + n).getBytes(StandardCharsets.UTF_8), false));
        Arbitrary<Piece> wrongDirection = Arbitraries.just(new Piece(
                "{\"v\":1,\"type\":\"llm.response\",\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8), false));
        return Arbitraries.frequencyOf(
                        net.jqwik.api.Tuple.of(5, good), net.jqwik.api.Tuple.of(4, garbage),
                        net.jqwik.api.Tuple.of(3, binary), net.jqwik.api.Tuple.of(1, wrongDirection))
                .list().ofMaxSize(12)
                .flatMap(list -> overlong.list().ofMaxSize(1).map(big -> {
                    var all = new java.util.ArrayList<>(list);
                    all.addAll(big);
                    java.util.Collections.shuffle(all, new java.util.Random(list.size()));
                    return List.copyOf(all);
                }));
    }
}
