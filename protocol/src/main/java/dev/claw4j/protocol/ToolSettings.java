package dev.claw4j.protocol;

/** Limits the host sets on the agent's tools for a turn. */
public record ToolSettings(long bashTimeoutMs, int outputLimitChars, int maxSteps) {
    public static final ToolSettings DEFAULTS = new ToolSettings(120_000, 30_000, 50);
}
