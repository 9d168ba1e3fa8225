package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSettings;

/** What a tool call may use: the workspace, the turn's limits, and the host (for host calls). */
record ToolContext(Workspace workspace, ToolSettings settings, HostCalls host) {}
