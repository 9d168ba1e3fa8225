package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads a text file, or a window of its lines. The file is streamed, so a huge file costs only the window. */
final class ReadFileTool implements Tool {
    static final int DEFAULT_LIMIT_LINES = 2000;

    private static final ToolSpec SPEC = new ToolSpec("read_file",
            "Reads a text file. Relative paths are in the group folder (/workspace/group); /workspace/global"
                    + " holds shared memory (read-only). Long files can be read in windows of lines.",
            """
            {"type": "object",
             "properties": {
               "path": {"type": "string", "description": "file path, relative to the group folder or absolute under /workspace"},
               "offset_line": {"type": "integer", "description": "first line to return, counting from 1 (default 1)"},
               "limit_lines": {"type": "integer", "description": "how many lines to return (default 2000)"}
             },
             "required": ["path"]}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        Workspace workspace = context.workspace();
        long offset = Math.max(args.optionalLong("offset_line").orElse(1L), 1);
        long limit = Math.max(args.optionalLong("limit_lines").orElse((long) DEFAULT_LIMIT_LINES), 1);
        Path file = FileChecks.existingFile(workspace.resolve(args.string("path")), workspace);
        int charBudget = context.settings().outputLimitChars();
        try {
            if (FileChecks.looksBinary(file)) {
                throw new ToolException(workspace.display(file) + " is a binary file (" + Files.size(file)
                        + " bytes); inspect it with bash (file, xxd, head -c)");
            }
            return ToolResult.ok(readWindow(file, offset, limit, charBudget));
        } catch (IOException e) {
            throw new ToolException("cannot read " + workspace.display(file) + ": " + e.getMessage());
        }
    }

    private static String readWindow(Path file, long offset, long limit, int charBudget) throws IOException {
        StringBuilder out = new StringBuilder();
        long lineNumber = 0;
        long lastShown = 0;
        boolean more = false;
        // InputStreamReader replaces malformed UTF-8 instead of failing, so any text-ish file can be read
        try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                lineNumber++;
                if (lineNumber < offset) {
                    continue;
                }
                if (lineNumber >= offset + limit || out.length() > charBudget) {
                    more = true;
                    break;
                }
                out.append(line).append('\n');
                lastShown = lineNumber;
            }
        }
        if (lineNumber == 0) {
            return "(empty file)";
        }
        if (lastShown == 0) {
            return "(the file has only " + lineNumber + " lines; offset_line " + offset + " is past its end)";
        }
        if (more) {
            out.append("[showing lines ").append(offset).append('-').append(lastShown)
                    .append("; more follow: read on with offset_line=").append(lastShown + 1).append("]");
        }
        return out.toString();
    }
}
