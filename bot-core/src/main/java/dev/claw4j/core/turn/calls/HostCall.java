package dev.claw4j.core.turn.calls;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;

/**
 * One kind of {@code host.call} the agent may make: its name and its own checks, next to each other. A handler
 * takes nothing from the call that says who is calling or where to answer: that comes from the {@link CallContext}
 * the host built for the running turn.
 */
public interface HostCall {
    /** The method name the agent uses, as in {@code "send_message"}. */
    String method();

    /** Checks the call against the calling group and does it; the answer goes back to the agent as is. */
    HostMessage handle(CallContext context, AgentMessage.HostCall call);
}
