package dev.claw4j.core.sandbox;

/** The outcome of a one-off command in a sandbox. */
public record ExecResult(SandboxExit exit, String stdout, String stderr, boolean timedOut, boolean truncated) {}
