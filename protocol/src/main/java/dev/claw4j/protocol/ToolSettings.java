package dev.claw4j.protocol;

import java.util.List;

/** Limits the host sets on the agent's tools for a turn, and the group's MCP servers (none by default). */
public record ToolSettings(long bashTimeoutMs, int outputLimitChars, int maxSteps, List<McpServer> mcpServers) {
    public static final ToolSettings DEFAULTS = new ToolSettings(120_000, 30_000, 50);

    public ToolSettings {
        mcpServers = mcpServers == null ? List.of() : List.copyOf(mcpServers);
    }

    public ToolSettings(long bashTimeoutMs, int outputLimitChars, int maxSteps) {
        this(bashTimeoutMs, outputLimitChars, maxSteps, List.of());
    }

    public ToolSettings withMcpServers(List<McpServer> servers) {
        return new ToolSettings(bashTimeoutMs, outputLimitChars, maxSteps, servers);
    }
}
