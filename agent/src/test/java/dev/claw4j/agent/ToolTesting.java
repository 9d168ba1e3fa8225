package dev.claw4j.agent;

import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ToolSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A workspace in a temporary folder and a way to call a tool with arguments given as a map. */
final class ToolTesting {
    final Workspace workspace;
    ToolSettings settings = ToolSettings.DEFAULTS;
    HostCalls host = (method, args) -> HostMessage.HostResult.failed("none", "no host in this test");

    ToolTesting(Path root) {
        this.workspace = new Workspace(root);
        try {
            Files.createDirectories(workspace.group());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path group() {
        return workspace.group();
    }

    ToolResult call(Tool tool, Map<String, ?> args) throws ToolException {
        return tool.run(ToolArgs.parse(tool.name(), json(args)), new ToolContext(workspace, settings, host));
    }

    static String json(Map<String, ?> args) {
        try {
            return Json.MAPPER.writeValueAsString(args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
