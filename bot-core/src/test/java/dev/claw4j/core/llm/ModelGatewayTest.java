package dev.claw4j.core.llm;

import dev.claw4j.core.llm.ModelException.Kind;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolSpec;
import dev.claw4j.protocol.Usage;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Gateway behaviour that needs no wire: a scripted {@link ModelClient}. */
class ModelGatewayTest {

    /** Answers with the scripted outcomes in order: a ModelReply, or a ModelException/RuntimeException to throw. */
    static final class ScriptedClient implements ModelClient {
        final Deque<Object> script = new ArrayDeque<>();
        final List<Integer> maxTokensSeen = new ArrayList<>();

        @Override
        public String model() {
            return "fake/model";
        }

        @Override
        public ModelReply chat(String system, List<LlmMessage> messages, List<ToolSpec> tools, int maxTokens)
                throws ModelException {
            maxTokensSeen.add(maxTokens);
            Object next = script.removeFirst();
            if (next instanceof ModelException e) {
                throw e;
            }
            if (next instanceof RuntimeException e) {
                throw e;
            }
            return (ModelReply) next;
        }
    }

    final ScriptedClient client = new ScriptedClient();
    final List<Duration> sleeps = new ArrayList<>();
    final List<ModelCallRecord> records = new ArrayList<>();

    ModelGateway gateway(int maxRetries, ModelCallListener listener) {
        return new ModelGateway(client, RetryPolicy.withMaxRetries(maxRetries), sleeps::add, listener, 2000);
    }

    static AgentMessage.LlmRequest request(Integer maxTokens) {
        return new AgentMessage.LlmRequest("r9", "t1", null, List.of(LlmMessage.user("hi")), List.of(), maxTokens);
    }

    static ModelReply ok() {
        return new ModelReply(LlmMessage.assistant("ok", List.of()), new Usage(3, 4), ModelReply.END_TURN);
    }

    @Test
    void theHostCapsMaxTokens() {
        client.script.add(ok());
        client.script.add(ok());
        client.script.add(ok());
        ModelGateway gateway = gateway(0, records::add);

        gateway.answer("g", request(null));
        gateway.answer("g", request(500));
        gateway.answer("g", request(99_999));

        assertThat(client.maxTokensSeen).containsExactly(2000, 500, 2000);
    }

    @Test
    void aFailingListenerDoesNotSpoilTheAnswer() {
        client.script.add(ok());

        HostMessage answer = gateway(0, r -> { throw new IllegalStateException("db down"); })
                .answer("g", request(null));

        assertThat(answer).isInstanceOf(HostMessage.LlmResponse.class);
    }

    @Test
    void anUnexpectedExceptionBecomesAnError() {
        client.script.add(new NullPointerException("bug"));

        HostMessage answer = gateway(3, records::add).answer("g", request(null));

        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class, e -> {
            assertThat(e.id()).isEqualTo("r9");
            assertThat(e.code()).isEqualTo(ProtocolError.MODEL_FAILED);
            assertThat(e.message()).contains("host log");
        });
        assertThat(records).singleElement().satisfies(r -> assertThat(r.ok()).isFalse());
    }

    @Test
    void interruptedWhileWaitingStopsRetrying() {
        client.script.add(new ModelException(Kind.SERVER_ERROR, true, 503, null, "HTTP 503", null));
        ModelGateway gateway = new ModelGateway(client, RetryPolicy.withMaxRetries(3),
                d -> { throw new InterruptedException(); }, records::add, 2000);

        HostMessage answer = gateway.answer("g", request(null));

        assertThat(Thread.interrupted()).isTrue(); // the flag is kept for the caller (and cleared here)
        assertThat(answer).isInstanceOfSatisfying(ProtocolError.class,
                e -> assertThat(e.message()).contains("interrupted"));
        assertThat(records).singleElement().satisfies(r -> assertThat(r.attempts()).isEqualTo(1));
    }

    @Test
    void backoffDoublesAndIsCapped() {
        RetryPolicy policy = RetryPolicy.withMaxRetries(10);

        assertThat(List.of(1, 2, 3, 4, 5, 6, 7).stream().map(n -> policy.delayBefore(n, null).toSeconds()).toList())
                .containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L);
        assertThat(policy.delayBefore(1, Duration.ofMillis(250))).isEqualTo(Duration.ofMillis(250));
        assertThat(policy.delayBefore(1, Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void peopleReadWhatHappenedAndWhoCanFixIt() {
        assertThat(ModelGateway.forPeople(new ModelException(Kind.AUTH, false, 403, null, "HTTP 403", null), 1))
                .contains("HTTP 403").contains("model.apiKey");
        assertThat(ModelGateway.forPeople(
                new ModelException(Kind.BAD_REQUEST, false, 404, null, "HTTP 404: no such model", null), 1))
                .contains("model.name");
        assertThat(ModelGateway.forPeople(new ModelException(Kind.TIMEOUT, true, null, null, "slow", null), 5))
                .isEqualTo("The model did not answer in time (after 5 tries). Try again in a minute.");
    }
}
