package dev.claw4j.agent;

/**
 * What a tool call produced: the text the model sees, whether it succeeded, and for a command its exit code
 * (null for other tools). The last two go into the audit trail.
 */
record ToolResult(String output, boolean ok, Integer exitCode) {
    static ToolResult ok(String output) {
        return new ToolResult(output, true, null);
    }

    static ToolResult failed(String output) {
        return new ToolResult(output, false, null);
    }
}
