package dev.claw4j.core.llm;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;

/**
 * Answers an agent's model call on the host, where the keys are. Implementations add credentials, retry
 * what is worth retrying, record usage and audit every call. They never throw: a failure is a
 * {@link dev.claw4j.protocol.ProtocolError} with code {@code model_failed} whose message a person can read.
 */
public interface LlmGateway {
    HostMessage answer(String groupId, AgentMessage.LlmRequest request);

    /**
     * The same, showing the model {@code images} with the request's last user message: host-held copies of the
     * pictures people sent with the running turn, never anything the agent named.
     */
    default HostMessage answer(String groupId, AgentMessage.LlmRequest request, java.util.List<ModelImage> images) {
        return answer(groupId, request);
    }

    /** Whether the group's model takes images now; when not, the agent is told so instead. */
    default boolean acceptsImages(String groupId) {
        return false;
    }
}
