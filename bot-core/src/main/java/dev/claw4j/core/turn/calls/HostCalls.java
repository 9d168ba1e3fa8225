package dev.claw4j.core.turn.calls;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The host calls an agent may make, by name. A name not registered here is refused and audited. */
public final class HostCalls {
    private final Map<String, HostCall> byMethod = new LinkedHashMap<>();

    public HostCalls(List<? extends HostCall> calls) {
        calls.forEach(this::add);
    }

    /** One more call, added while the host is wired (before the first turn). */
    public synchronized void add(HostCall c) {
        if (byMethod.putIfAbsent(c.method(), c) != null) {
            throw new IllegalArgumentException("two host calls are named '" + c.method()
                    + "'; each method needs exactly one handler");
        }
    }

    public HostMessage answer(CallContext context, AgentMessage.HostCall call) {
        HostCall handler;
        synchronized (this) { // only the lookup: groups' calls (a 20 s fetch) run side by side
            handler = byMethod.get(call.method());
        }
        if (handler == null) {
            context.audit("host.call.refused", call.method());
            return HostMessage.HostResult.failed(call.id(), "unknown host call '" + call.method()
                    + "'; available: " + String.join(", ", methods()));
        }
        return handler.handle(context, call);
    }

    public synchronized List<String> methods() {
        return List.copyOf(byMethod.keySet());
    }
}
