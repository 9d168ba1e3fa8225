package dev.claw4j.core.cluster;

import java.time.Instant;

/**
 * A lease this host got. {@code previousHost} is the host that held it before when this host took it from an
 * expired holder, with the moment its lease had expired (both null when it was free, released or never held).
 */
public record Lease(String name, String hostId, long token, String previousHost, Instant previousExpiry) {
    public boolean tookOver() {
        return previousHost != null && !previousHost.equals(hostId);
    }
}
