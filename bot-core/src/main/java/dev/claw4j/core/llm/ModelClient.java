package dev.claw4j.core.llm;

import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolSpec;

import java.util.List;

/**
 * One model call, provider-neutral: no retries, no accounting; {@link ModelGateway} adds those.
 * Implementations are thread-safe: every group's agent calls through the same client.
 */
public interface ModelClient {

    /** How records and logs name the model, e.g. {@code openai/gpt-4o-mini}. */
    String model();

    /**
     * @param system    the system prompt, or null
     * @param messages  the conversation so far (user, assistant and tool messages)
     * @param tools     the tools the model may call
     * @param maxTokens most output tokens the model may use
     * @throws ModelException when the call failed; it says whether trying again may help
     */
    ModelReply chat(String system, List<LlmMessage> messages, List<ToolSpec> tools, int maxTokens) throws ModelException;
}
