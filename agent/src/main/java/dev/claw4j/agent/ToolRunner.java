package dev.claw4j.agent;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ToolCall;

/**
 * Runs one tool call the model asked for: announces it ({@code tool.started}), runs it, reports it
 * ({@code tool.finished}, with success and duration), and returns the text for the model. Every failure,
 * including an unknown tool or arguments that are not JSON, becomes text the model can act on; none
 * ends the turn.
 */
final class ToolRunner {
    private static final int DETAIL_CHARS = 200;

    private final Toolbox toolbox;
    private final HostLink link;

    ToolRunner(Toolbox toolbox, HostLink link) {
        this.toolbox = toolbox;
        this.link = link;
    }

    String run(ToolCall call, String turnId, ToolContext context) {
        Tool tool = toolbox.find(call.name()).orElse(null);
        ToolArgs args = null;
        ToolResult result = null;
        if (tool == null) {
            result = ToolResult.failed("there is no tool named \"" + call.name() + "\"; the tools are: "
                    + String.join(", ", toolbox.names()));
        } else {
            try {
                args = ToolArgs.parse(tool.name(), call.arguments());
            } catch (ToolException e) {
                result = ToolResult.failed(e.getMessage());
            }
        }
        String detail = Text.shorten(args != null ? tool.detail(args) : "invalid call", DETAIL_CHARS);
        String toolName = call.name();
        link.send(new AgentMessage.Event(turnId, AgentMessage.Event.TOOL_STARTED, toolName, detail, null, null));
        long started = System.nanoTime();
        if (result == null) {
            result = execute(tool, args, context);
        }
        long millis = (System.nanoTime() - started) / 1_000_000;
        // the exit code goes with the command into the audit trail (the operator's console shows it)
        String finished = result.exitCode() == null ? detail : detail + " → exit " + result.exitCode();
        link.send(new AgentMessage.Event(turnId, AgentMessage.Event.TOOL_FINISHED, toolName, finished, result.ok(),
                millis));
        return Text.cap(result.output(), context.settings().outputLimitChars());
    }

    private static ToolResult execute(Tool tool, ToolArgs args, ToolContext context) {
        try {
            return tool.run(args, context);
        } catch (ToolException e) {
            return ToolResult.failed(e.getMessage());
        } catch (HostGone e) {
            throw e;
        } catch (RuntimeException e) {
            // a bug in a tool must not end the turn; the model can try another way
            Log.error("tool " + tool.name() + " failed", e);
            return ToolResult.failed(tool.name() + " failed unexpectedly: " + e);
        }
    }
}
