package dev.claw4j.sandbox;

import dev.claw4j.core.cluster.HostIdentity;

/**
 * How this install runs its sandboxes. {@code installId} (the host id) marks every container so a restart removes
 * its own orphans and never another install's; {@code machineId} marks the machine it ran on, so a host may also
 * remove what a gone host of the same machine left (null: this machine's id).
 */
public record SandboxSettings(String runtime, boolean requireSecondWall, String image, String installId,
        String machineId) {
    public static final String DEFAULT_IMAGE = AgentImage.TAG;

    public SandboxSettings {
        if (installId == null || !installId.matches("[A-Za-z0-9_.-]{4,64}")) {
            throw new IllegalArgumentException("bad install id '" + installId + "'");
        }
        runtime = runtime == null ? "auto" : runtime;
        image = image == null ? DEFAULT_IMAGE : image;
        machineId = machineId == null ? HostIdentity.thisMachine() : machineId;
    }

    public SandboxSettings(String runtime, boolean requireSecondWall, String image, String installId) {
        this(runtime, requireSecondWall, image, installId, null);
    }
}
