package dev.claw4j.core.llm;

import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.Usage;

/**
 * What the model said. {@code stopReason} uses the protocol's words: {@code end_turn}, {@code tool_use},
 * {@code max_tokens}, {@code content_filter} or {@code other}.
 */
public record ModelReply(LlmMessage message, Usage usage, String stopReason) {
    public static final String END_TURN = "end_turn";
    public static final String TOOL_USE = "tool_use";
    public static final String MAX_TOKENS = "max_tokens";
    public static final String CONTENT_FILTER = "content_filter";
    public static final String OTHER = "other";

    public ModelReply {
        usage = usage == null ? Usage.NONE : usage;
    }
}
