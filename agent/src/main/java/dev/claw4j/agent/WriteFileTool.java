package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a whole file (UTF-8), creating missing parent folders; an existing file is replaced. */
final class WriteFileTool implements Tool {
    private static final ToolSpec SPEC = new ToolSpec("write_file",
            "Writes a text file, replacing it if it exists and creating missing folders. Relative paths are in"
                    + " the group folder (/workspace/group). For small changes to an existing file use edit_file.",
            """
            {"type": "object",
             "properties": {
               "path": {"type": "string", "description": "file path, relative to the group folder or absolute under /workspace/group"},
               "content": {"type": "string", "description": "the complete new content of the file"}
             },
             "required": ["path", "content"]}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        Workspace workspace = context.workspace();
        Path file = workspace.resolve(args.string("path"));
        String content = args.string("content");
        if (Files.isDirectory(file)) {
            throw new ToolException(workspace.display(file) + " is a directory; give a file path");
        }
        try {
            Path parent = file.getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
            Files.write(file, bytes);
            return ToolResult.ok("wrote " + bytes.length + " bytes to " + workspace.display(file));
        } catch (IOException e) {
            throw new ToolException("cannot write " + workspace.display(file) + ": " + describe(e));
        }
    }

    static String describe(IOException e) {
        String kind = e.getClass().getSimpleName().replace("Exception", "");
        return e.getMessage() == null ? kind : kind + " " + e.getMessage();
    }
}
