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

    /**
     * Loads what the first call needs (the provider's client, JSON, HTTP) without calling the model, so the first
     * person to write does not wait for it; true when that was done. The default does nothing.
     */
    default boolean warmUp() {
        return false;
    }

    /** Whether the model takes image content ({@code model.images}); a client that does not ignores images. */
    default boolean acceptsImages() {
        return false;
    }

    /**
     * The same, showing the model {@code images} with the last user message (the host's copies of what people
     * sent with this turn). A client whose model takes no images sends the text alone.
     */
    default ModelReply chat(String system, List<LlmMessage> messages, List<ToolSpec> tools, int maxTokens,
                            List<ModelImage> images) throws ModelException {
        return chat(system, messages, tools, maxTokens);
    }
}
