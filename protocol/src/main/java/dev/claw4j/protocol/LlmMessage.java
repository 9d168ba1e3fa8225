package dev.claw4j.protocol;

import java.util.List;

/**
 * One message of a model conversation, provider-neutral. {@code role} is user, assistant or tool.
 * An assistant message may carry tool calls; a tool message answers one of them by {@code toolCallId}.
 */
public record LlmMessage(String role, String text, List<ToolCall> toolCalls, String toolCallId, String toolName) {
    public static final String USER = "user";
    public static final String ASSISTANT = "assistant";
    public static final String TOOL = "tool";

    public LlmMessage {
        toolCalls = toolCalls == null ? List.of() : List.copyOf(toolCalls);
    }

    public static LlmMessage user(String text) {
        return new LlmMessage(USER, text, List.of(), null, null);
    }

    public static LlmMessage assistant(String text, List<ToolCall> toolCalls) {
        return new LlmMessage(ASSISTANT, text, toolCalls, null, null);
    }

    public static LlmMessage toolResult(ToolCall call, String output) {
        return new LlmMessage(TOOL, output, List.of(), call.id(), call.name());
    }

    public boolean hasToolCalls() {
        return !toolCalls.isEmpty();
    }
}
