package dev.claw4j.agent;

import dev.claw4j.protocol.HostMessage;
import java.util.Map;

/** Calls a host function (send_message, …) and waits for its answer; an error answer comes back as a failed result. */
@FunctionalInterface
interface HostCalls {
    HostMessage.HostResult call(String method, Map<String, String> args);
}
