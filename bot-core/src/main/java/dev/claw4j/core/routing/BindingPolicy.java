package dev.claw4j.core.routing;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How chats map to agent groups. */
public enum BindingPolicy {
    /** A channel, group or DM is one agent. */
    PER_CHAT("per-chat"),
    /** Each person has their own agent, across the chats of a platform. */
    PER_USER("per-user"),
    /** Each thread is its own agent; messages outside threads go to the chat's agent. */
    PER_THREAD("per-thread");

    private final String configName;

    BindingPolicy(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }

    public static BindingPolicy parse(String key, String value) {
        return Arrays.stream(values()).filter(p -> p.configName.equals(value)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(key + ": '" + value + "' is not a binding policy; use "
                        + Arrays.stream(values()).map(BindingPolicy::configName).collect(Collectors.joining(", "))));
    }
}
