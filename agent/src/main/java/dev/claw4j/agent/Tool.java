package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;

/** A tool the model can call. The set is closed: each one is a class in this package (MCP tools come from the group's MCP servers). */
sealed interface Tool
        permits BashTool, ReadFileTool, WriteFileTool, EditFileTool, ListFilesTool, GrepTool, SendMessageTool,
                SendFileTool, WebFetchTool, TaskTools.ScheduleTask, TaskTools.ListTasks, TaskTools.ChangeTask, McpTool {

    /** Name, description and JSON Schema of the arguments, as offered to the model. */
    ToolSpec spec();

    default String name() {
        return spec().name();
    }

    /** A few words for the audit trail and the typing indicator (the command, the path). Never throws. */
    default String detail(ToolArgs args) {
        return args.text("path");
    }

    /**
     * Runs the call. A {@link ToolException} is a mistake the model can fix (its message is shown to it);
     * a command that ran but failed is a normal {@link ToolResult} with {@code ok = false}.
     */
    ToolResult run(ToolArgs args, ToolContext context) throws ToolException;
}
