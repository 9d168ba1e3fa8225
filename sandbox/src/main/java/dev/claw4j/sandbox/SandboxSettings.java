package dev.claw4j.sandbox;

/**
 * How this install runs its sandboxes. {@code installId} marks every container so a restart removes
 * its own orphans and never another install's.
 */
public record SandboxSettings(String runtime, boolean requireSecondWall, String image, String installId) {
    public static final String DEFAULT_IMAGE = AgentImage.TAG;

    public SandboxSettings {
        if (installId == null || !installId.matches("[A-Za-z0-9_.-]{4,64}")) {
            throw new IllegalArgumentException("bad install id '" + installId + "'");
        }
        runtime = runtime == null ? "auto" : runtime;
        image = image == null ? DEFAULT_IMAGE : image;
    }
}
