package dev.claw4j.protocol;

import java.util.List;

/** What the host writes to the agent's stdin. */
public sealed interface HostMessage extends Message
        permits HostMessage.TurnStart, HostMessage.TurnMessage, HostMessage.LlmResponse,
                HostMessage.HostResult, HostMessage.Shutdown, ProtocolError {

    /**
     * Starts a turn: the group's context, the messages that arrived, and the tool limits.
     * {@code instructions} is the system prompt the host assembled (base prompt, the group's own
     * memory, the shared memory), so the agent never needs to read host files.
     */
    record TurnStart(String turnId, String groupId, String instructions,
                     List<ChatMessage> messages, ToolSettings tools, Boolean freshConversation,
                     Boolean newSession) implements HostMessage {
        public TurnStart {
            messages = List.copyOf(messages);
            tools = tools == null ? ToolSettings.DEFAULTS : tools;
        }

        public TurnStart(String turnId, String groupId, String instructions, List<ChatMessage> messages,
                         ToolSettings tools) {
            this(turnId, groupId, instructions, messages, tools, null, null);
        }

        public TurnStart(String turnId, String groupId, String instructions, List<ChatMessage> messages,
                         ToolSettings tools, Boolean freshConversation) {
            this(turnId, groupId, instructions, messages, tools, freshConversation, null);
        }

        /**
         * True for the first turn of a session (a new group, or the first turn after {@code /reset}): the agent
         * starts the chat's conversation anew and saves it over whatever its folder holds. The host clears the
         * session file itself where it sees the folder; where it does not (a Kubernetes volume), this is how the
         * reset reaches it.
         */
        public boolean startsSession() {
            return Boolean.TRUE.equals(newSession);
        }

        /**
         * True for a scheduled task's run with {@code context: fresh}: the agent answers it in a new conversation
         * and leaves the chat's own conversation as it was.
         */
        public boolean fresh() {
            return Boolean.TRUE.equals(freshConversation);
        }
    }

    /** A message that arrived while the turn is running; the agent adds it before its next model call. */
    record TurnMessage(String turnId, List<ChatMessage> messages) implements HostMessage {
        public TurnMessage {
            messages = List.copyOf(messages);
        }
    }

    /** The model's answer to {@link AgentMessage.LlmRequest} with the same id. */
    record LlmResponse(String id, LlmMessage message, Usage usage, String stopReason) implements HostMessage {}

    /** The answer to {@link AgentMessage.HostCall} with the same id. */
    record HostResult(String id, boolean ok, String result, String error) implements HostMessage {
        public static HostResult ok(String id, String result) {
            return new HostResult(id, true, result, null);
        }

        public static HostResult failed(String id, String error) {
            return new HostResult(id, false, null, error);
        }
    }

    /** Asks the agent to finish what it is doing and exit. */
    record Shutdown(String reason) implements HostMessage {}
}
