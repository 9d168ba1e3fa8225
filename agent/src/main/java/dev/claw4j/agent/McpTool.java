package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;
import java.time.Duration;

/**
 * A tool of an MCP server, offered to the model as {@code mcp__<server>__<tool>}: its arguments go to the
 * server's {@code tools/call} unchanged, and the text it answers comes back, capped like every tool's output.
 */
final class McpTool implements Tool {
    static final String PREFIX = "mcp__";

    private final McpClient client;
    private final McpClient.McpToolInfo info;
    private final ToolSpec spec;
    private final Duration timeout;

    McpTool(McpClient client, McpClient.McpToolInfo info, Duration timeout) {
        this.client = client;
        this.info = info;
        this.timeout = timeout;
        String description = info.description().isBlank() ? "A tool of the MCP server " + client.name() : info.description();
        this.spec = new ToolSpec(toolName(client.name(), info.name()),
                Text.shorten(description, 1_000), info.inputSchema().toString());
    }

    static String toolName(String server, String tool) {
        return PREFIX + server + "__" + tool.replaceAll("[^A-Za-z0-9_-]", "_");
    }

    @Override
    public ToolSpec spec() {
        return spec;
    }

    @Override
    public String detail(ToolArgs args) {
        return client.name() + " " + info.name();
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        try {
            McpClient.CallResult result = client.callTool(info.name(), args.node(), timeout);
            return result.isError() ? ToolResult.failed(result.text()) : ToolResult.ok(result.text());
        } catch (McpClient.McpException e) {
            return ToolResult.failed(e.getMessage());
        }
    }
}
