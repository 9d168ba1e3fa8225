package dev.claw4j.agent;

import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ToolSpec;
import java.util.Map;

/**
 * Sends a chat message now, before the turn's final reply (progress notes on long work). It is a host
 * call: the host decides which chat it goes to and whether the group may send it.
 */
final class SendMessageTool implements Tool {
    private static final ToolSpec SPEC = new ToolSpec("send_message",
            "Sends a message to the chat right away, before your final reply. Use it for progress updates on"
                    + " long tasks; your final reply is sent anyway, so do not repeat it here.",
            """
            {"type": "object",
             "properties": {
               "text": {"type": "string", "description": "the message text"}
             },
             "required": ["text"]}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public String detail(ToolArgs args) {
        return args.text("text");
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        String text = args.string("text");
        if (text.isBlank()) {
            throw new ToolException("text is empty; give the message to send");
        }
        HostMessage.HostResult result = context.host().call("send_message", Map.of("text", text));
        return result.ok() ? ToolResult.ok("sent")
                : ToolResult.failed("not sent: " + (result.error() == null ? "the host refused" : result.error()));
    }
}
