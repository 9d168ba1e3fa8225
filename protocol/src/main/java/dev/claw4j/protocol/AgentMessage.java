package dev.claw4j.protocol;

import java.util.List;
import java.util.Map;

/** What the agent writes to its stdout. */
public sealed interface AgentMessage extends Message
        permits AgentMessage.Ready, AgentMessage.LlmRequest, AgentMessage.HostCall, AgentMessage.Event,
                AgentMessage.TurnDone, ProtocolError {

    /**
     * The agent's first line: it is up and reading stdin. The host measures a sandbox as ready only
     * when this arrives, not when the container starts.
     */
    record Ready(String agentVersion, List<String> tools) implements AgentMessage {
        public Ready {
            tools = List.copyOf(tools);
        }
    }

    /** A model call; the host adds credentials, checks the budget and answers {@link HostMessage.LlmResponse}. */
    record LlmRequest(String id, String turnId, String system, List<LlmMessage> messages, List<ToolSpec> tools,
                      Integer maxTokens) implements AgentMessage {
        public LlmRequest {
            messages = List.copyOf(messages);
            tools = tools == null ? List.of() : List.copyOf(tools);
        }
    }

    /**
     * A call of a host function (send_message, schedule_task, …). The host checks it against the
     * rights of the group the sandbox belongs to; nothing in the message is trusted for identity.
     */
    record HostCall(String id, String turnId, String method, Map<String, String> args) implements AgentMessage {
        public HostCall {
            args = args == null ? Map.of() : Map.copyOf(args);
        }
    }

    /** Something the agent did, for the audit trail and the typing indicator. */
    record Event(String turnId, String kind, String tool, String detail, Boolean ok, Long durationMs)
            implements AgentMessage {
        public static final String TOOL_STARTED = "tool.started";
        public static final String TOOL_FINISHED = "tool.finished";
    }

    /**
     * The turn is over: the final reply (may be empty when the agent chose to say nothing) and its usage.
     * {@code followUpsTaken} counts the {@code turn.message} chat messages the turn took into its
     * conversation, in the order they came; the host answers the rest in a later turn, so none is lost to
     * the race between a follow-up and the end of a turn.
     */
    record TurnDone(String turnId, String reply, Usage usage, int followUpsTaken) implements AgentMessage {
        public TurnDone(String turnId, String reply, Usage usage) {
            this(turnId, reply, usage, 0);
        }
    }
}
