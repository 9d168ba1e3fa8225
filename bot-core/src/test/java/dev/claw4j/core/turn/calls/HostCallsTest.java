package dev.claw4j.core.turn.calls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostCallsTest {
    private final List<String> audit = new ArrayList<>();
    private final CallContext context = new CallContext("g1", "turn-1", "web", "chat-1", null,
            (group, kind, detail) -> audit.add(group + " " + kind + " " + detail));

    private static HostCall echo(String method) {
        return new HostCall() {
            @Override
            public String method() {
                return method;
            }

            @Override
            public HostMessage handle(CallContext c, AgentMessage.HostCall call) {
                return HostMessage.HostResult.ok(call.id(), method + " for " + c.groupId() + " in " + c.chatId());
            }
        };
    }

    @Test
    void aCallGoesToItsHandlerWithTheHostsContext() {
        HostCalls calls = new HostCalls(List.of(echo("a"), echo("b")));
        HostMessage answer = calls.answer(context, new AgentMessage.HostCall("1", "turn-1", "b", Map.of("chat", "x")));
        assertThat(answer).isEqualTo(HostMessage.HostResult.ok("1", "b for g1 in chat-1"));
        assertThat(audit).isEmpty();
    }

    @Test
    void anUnknownCallIsRefusedAndAudited() {
        HostCalls calls = new HostCalls(List.of(echo("send_message"), echo("send_file")));
        HostMessage answer = calls.answer(context, new AgentMessage.HostCall("7", "turn-1", "rm_rf", Map.of()));
        assertThat(answer).isEqualTo(HostMessage.HostResult.failed("7",
                "unknown host call 'rm_rf'; available: send_message, send_file"));
        assertThat(audit).containsExactly("g1 host.call.refused rm_rf");
    }

    @Test
    void twoHandlersForOneNameAreAWiringError() {
        assertThatThrownBy(() -> new HostCalls(List.of(echo("a"), echo("a"))))
                .hasMessageContaining("two host calls are named 'a'");
    }

    @Test
    void aCallAddedWhileWiringIsAnsweredAndCannotTakeANameTwice() {
        HostCalls calls = new HostCalls(List.of(echo("send_message")));
        calls.add(echo("web_fetch"));
        assertThat(calls.methods()).containsExactly("send_message", "web_fetch");
        assertThat(calls.answer(context, new AgentMessage.HostCall("2", "turn-1", "web_fetch", Map.of())))
                .isEqualTo(HostMessage.HostResult.ok("2", "web_fetch for g1 in chat-1"));
        assertThatThrownBy(() -> calls.add(echo("send_message"))).hasMessageContaining("two host calls");
    }
}
