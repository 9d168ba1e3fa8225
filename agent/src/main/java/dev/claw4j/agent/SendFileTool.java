package dev.claw4j.agent;

import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ToolSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Sends a file from the workspace to the chat. A host call: the host reads the file through the sandbox
 * runtime (so only what this sandbox can see can be sent) and delivers it to the turn's chat.
 */
final class SendFileTool implements Tool {
    private static final ToolSpec SPEC = new ToolSpec("send_file",
            "Sends a file from your workspace to the chat (a report, an image, a CSV you made). Up to 20 MB.",
            """
            {"type": "object",
             "properties": {
               "path": {"type": "string", "description": "file path, relative to the group folder or absolute under /workspace"},
               "caption": {"type": "string", "description": "a short text sent with the file"}
             },
             "required": ["path"]}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        Workspace workspace = context.workspace();
        Path file = workspace.resolve(args.string("path"));
        if (!Files.isRegularFile(file)) {
            throw new ToolException(workspace.display(file) + " is not a file; check the path with list_files");
        }
        String caption = args.optionalString("caption").orElse("");
        HostMessage.HostResult result = context.host().call("send_file",
                Map.of("path", file.toString(), "caption", caption));
        return result.ok() ? ToolResult.ok(result.result() == null ? "sent" : result.result())
                : ToolResult.failed("not sent: " + (result.error() == null ? "the host refused" : result.error()));
    }
}
