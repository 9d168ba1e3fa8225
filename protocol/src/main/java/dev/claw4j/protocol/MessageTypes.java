package dev.claw4j.protocol;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** The closed table of wire names; the codec and {@link Message#type()} both read it. */
final class MessageTypes {
    static final Map<String, Class<? extends Message>> BY_NAME = new LinkedHashMap<>();
    static final Set<String> HOST_TO_AGENT = Set.of("turn.start", "turn.message", "llm.response", "host.result",
            "shutdown", "error");
    static final Set<String> AGENT_TO_HOST = Set.of("ready", "llm.request", "host.call", "event", "turn.done",
            "error");

    static {
        BY_NAME.put("turn.start", HostMessage.TurnStart.class);
        BY_NAME.put("turn.message", HostMessage.TurnMessage.class);
        BY_NAME.put("llm.response", HostMessage.LlmResponse.class);
        BY_NAME.put("host.result", HostMessage.HostResult.class);
        BY_NAME.put("shutdown", HostMessage.Shutdown.class);
        BY_NAME.put("ready", AgentMessage.Ready.class);
        BY_NAME.put("llm.request", AgentMessage.LlmRequest.class);
        BY_NAME.put("host.call", AgentMessage.HostCall.class);
        BY_NAME.put("event", AgentMessage.Event.class);
        BY_NAME.put("turn.done", AgentMessage.TurnDone.class);
        BY_NAME.put("error", ProtocolError.class);
    }

    private MessageTypes() {}

    static String typeOf(Class<?> type) {
        for (var e : BY_NAME.entrySet()) {
            if (e.getValue() == type) {
                return e.getKey();
            }
        }
        throw new IllegalStateException("no wire name for " + type.getName());
    }

    /** True when the message is a request or an answer but carries no usable id. */
    static boolean lacksRequiredId(Message m) {
        String id = switch (m) {
            case HostMessage.LlmResponse r -> r.id();
            case HostMessage.HostResult r -> r.id();
            case AgentMessage.LlmRequest r -> r.id();
            case AgentMessage.HostCall c -> c.id();
            default -> "not needed";
        };
        return id == null || id.isBlank();
    }
}
