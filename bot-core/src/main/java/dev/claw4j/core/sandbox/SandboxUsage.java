package dev.claw4j.core.sandbox;

/** What a running sandbox uses now: memory in bytes, and CPU in percent of one core (200 = two cores busy). */
public record SandboxUsage(long memoryBytes, double cpuPercent) {}
