package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolCall;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RequestFitterTest {
    private static final ToolCall CALL = new ToolCall("c", "bash", "{}");

    private static AgentMessage.LlmRequest build(List<LlmMessage> messages) {
        return new AgentMessage.LlmRequest("r1", "t1", "system", messages, List.of(), null);
    }

    private static int size(AgentMessage.LlmRequest request) {
        return JsonLines.encode(request).getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void aRequestThatFitsIsLeftAlone() {
        List<LlmMessage> conversation = new ArrayList<>(List.of(LlmMessage.user("hi")));
        assertThat(new RequestFitter(10_000).fit(conversation, RequestFitterTest::build))
                .contains(build(List.of(LlmMessage.user("hi"))));
    }

    @Test
    void theOldestToolOutputIsDroppedFirst() {
        List<LlmMessage> conversation = new ArrayList<>(List.of(
                LlmMessage.user("go"),
                LlmMessage.assistant(null, List.of(CALL)), LlmMessage.toolResult(CALL, "a".repeat(3000)),
                LlmMessage.assistant(null, List.of(CALL)), LlmMessage.toolResult(CALL, "b\"".repeat(1500)),
                LlmMessage.assistant(null, List.of(CALL)), LlmMessage.toolResult(CALL, "c".repeat(3000))));
        int limit = size(build(conversation)) - 2000;

        Optional<AgentMessage.LlmRequest> fitted = new RequestFitter(limit).fit(conversation, RequestFitterTest::build);

        assertThat(fitted).isPresent();
        assertThat(size(fitted.get())).isLessThanOrEqualTo(limit);
        assertThat(conversation.get(2).text()).isEqualTo(RequestFitter.DROPPED);
        assertThat(conversation.get(4).text()).isEqualTo("b\"".repeat(1500));
        assertThat(conversation.get(6).text()).isEqualTo("c".repeat(3000));
        assertThat(fitted.get().messages()).isEqualTo(conversation);
    }

    @Test
    void whenToolOutputIsNotEnoughOldExchangesGo() {
        List<LlmMessage> conversation = new ArrayList<>(List.of(
                LlmMessage.user("x".repeat(5000)), LlmMessage.assistant("ok", List.of()), LlmMessage.user("now")));
        Optional<AgentMessage.LlmRequest> fitted = new RequestFitter(2000).fit(conversation, RequestFitterTest::build);
        assertThat(fitted).isPresent();
        assertThat(conversation).containsExactly(LlmMessage.user("now"));
    }

    @Test
    void aSingleMessageTooLargeToSendGivesUp() {
        List<LlmMessage> conversation = new ArrayList<>(List.of(LlmMessage.user("x".repeat(5000))));
        assertThat(new RequestFitter(2000).fit(conversation, RequestFitterTest::build)).isEmpty();
    }
}
