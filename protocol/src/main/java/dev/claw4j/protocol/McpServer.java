package dev.claw4j.protocol;

import java.util.List;
import java.util.Map;

/**
 * A stdio MCP server the agent starts inside its sandbox for a turn: a short name (its tools are offered as
 * {@code mcp__<name>__<tool>}), the command line (a program in the agent image or the group folder) and extra
 * environment variables. It runs behind the same walls as every tool: no network, no secrets.
 */
public record McpServer(String name, List<String> command, Map<String, String> env) {
    public McpServer {
        command = command == null ? List.of() : List.copyOf(command);
        env = env == null ? Map.of() : Map.copyOf(env);
    }
}
