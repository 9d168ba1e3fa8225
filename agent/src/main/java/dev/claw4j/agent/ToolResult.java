package dev.claw4j.agent;

/** What a tool call produced: the text the model sees, and whether it succeeded (for the audit trail). */
record ToolResult(String output, boolean ok) {
    static ToolResult ok(String output) {
        return new ToolResult(output, true);
    }

    static ToolResult failed(String output) {
        return new ToolResult(output, false);
    }
}
