package dev.claw4j.core.turn;

import dev.claw4j.protocol.McpServer;
import java.util.List;
import java.util.Map;

/**
 * Which stdio MCP servers each group's agent starts in its sandbox: a group's own list if it has one (an empty
 * list turns them off for it), otherwise the default list.
 */
public record McpSettings(List<McpServer> defaults, Map<String, List<McpServer>> groups) {
    public static final McpSettings NONE = new McpSettings(List.of(), Map.of());

    public McpSettings {
        defaults = defaults == null ? List.of() : List.copyOf(defaults);
        groups = groups == null ? Map.of() : Map.copyOf(groups);
    }

    public List<McpServer> forGroup(String groupId) {
        return groups.getOrDefault(groupId, defaults);
    }
}
