package dev.claw4j.core.sandbox;

import java.time.Duration;

/** Hard limits on one sandbox. Memory has no swap on top; tmpfs sizes count against nothing else. */
public record SandboxLimits(long memoryBytes, double cpus, long pids, long tmpBytes, long homeBytes,
                            Duration turnTimeout) {
    public static final SandboxLimits DEFAULTS =
            new SandboxLimits(512L << 20, 1.0, 256, 64L << 20, 64L << 20, Duration.ofMinutes(10));

    public SandboxLimits {
        if (memoryBytes < (32L << 20)) {
            throw new IllegalArgumentException("sandbox.memory must be at least 32m, got " + memoryBytes + " bytes");
        }
        if (cpus <= 0) {
            throw new IllegalArgumentException("sandbox.cpus must be more than 0, got " + cpus);
        }
        if (pids < 64) {
            // gVisor counts its own threads against the limit: below 64 the sandbox cannot even start
            throw new IllegalArgumentException("sandbox.pids must be at least 64 (gVisor needs some for itself), got "
                    + pids);
        }
    }
}
