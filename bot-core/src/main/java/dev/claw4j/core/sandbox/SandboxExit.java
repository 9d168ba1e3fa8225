package dev.claw4j.core.sandbox;

/** How a sandbox ended. */
public record SandboxExit(long exitCode, boolean outOfMemory) {
    public String describe() {
        if (outOfMemory) {
            return "killed: out of memory (exit " + exitCode + ")";
        }
        return "exited with code " + exitCode;
    }
}
