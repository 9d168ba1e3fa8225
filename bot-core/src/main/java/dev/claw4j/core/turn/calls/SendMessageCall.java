package dev.claw4j.core.turn.calls;

import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.util.List;

/** {@code send_message}: a message to the turn's own chat. No target is read from the call. */
public final class SendMessageCall implements HostCall {
    private final Outbox outbox;

    public SendMessageCall(Outbox outbox) {
        this.outbox = outbox;
    }

    @Override
    public String method() {
        return "send_message";
    }

    @Override
    public HostMessage handle(CallContext context, AgentMessage.HostCall call) {
        String text = call.args().getOrDefault("text", "");
        if (text.isBlank()) {
            return HostMessage.HostResult.failed(call.id(), "send_message needs a non-empty \"text\"");
        }
        // under the turn's fence: a host that lost the group meanwhile sends nothing (its turn is abandoned)
        outbox.send(context.groupId(), context.platform(), context.chatId(), context.threadId(), text, null,
                List.of(), false, null, context.fence());
        context.audit("host.send_message", text.length() + " characters");
        return HostMessage.HostResult.ok(call.id(), "sent");
    }
}
