package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Replaces one exact piece of text in a file. The text must occur exactly once: replacing the wrong
 * occurrence silently is worse than asking the model for more context.
 */
final class EditFileTool implements Tool {
    private static final ToolSpec SPEC = new ToolSpec("edit_file",
            "Replaces old_text with new_text in a file. old_text must match exactly (spaces and line breaks"
                    + " included) and occur exactly once; include surrounding lines to make it unique.",
            """
            {"type": "object",
             "properties": {
               "path": {"type": "string", "description": "file path, relative to the group folder or absolute under /workspace/group"},
               "old_text": {"type": "string", "description": "the exact text to replace; must occur exactly once"},
               "new_text": {"type": "string", "description": "the text to put in its place"}
             },
             "required": ["path", "old_text", "new_text"]}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        Workspace workspace = context.workspace();
        Path file = FileChecks.existingFile(workspace.resolve(args.string("path")), workspace);
        String oldText = args.string("old_text");
        String newText = args.string("new_text");
        String name = workspace.display(file);
        if (oldText.isEmpty()) {
            throw new ToolException("old_text is empty; give the exact text to replace (write_file replaces a whole file)");
        }
        String content;
        try {
            content = Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new ToolException(name + " is not UTF-8 text; edit it with bash instead");
        } catch (IOException e) {
            throw new ToolException("cannot read " + name + ": " + WriteFileTool.describe(e));
        }
        List<Integer> lines = matchLines(content, oldText);
        if (lines.isEmpty()) {
            throw new ToolException("old_text was not found in " + name
                    + "; read the file again and copy the text exactly, spaces and line breaks included");
        }
        if (lines.size() > 1) {
            throw new ToolException("old_text was found " + lines.size() + " times in " + name + " (at lines "
                    + shortList(lines) + "); include more surrounding text so it matches exactly once");
        }
        int at = content.indexOf(oldText);
        String updated = content.substring(0, at) + newText + content.substring(at + oldText.length());
        try {
            Files.writeString(file, updated);
        } catch (IOException e) {
            throw new ToolException("cannot write " + name + ": " + WriteFileTool.describe(e));
        }
        return ToolResult.ok("replaced 1 occurrence in " + name + " at line " + lines.getFirst());
    }

    /** The line number of every occurrence, overlapping ones included (they make the match ambiguous too). */
    private static List<Integer> matchLines(String content, String text) {
        List<Integer> lines = new ArrayList<>();
        int line = 1;
        int counted = 0;
        for (int at = content.indexOf(text); at >= 0; at = content.indexOf(text, at + 1)) {
            for (; counted < at; counted++) {
                if (content.charAt(counted) == '\n') {
                    line++;
                }
            }
            lines.add(line);
        }
        return lines;
    }

    private static String shortList(List<Integer> lines) {
        List<String> shown = lines.stream().limit(10).map(String::valueOf).toList();
        return String.join(", ", shown) + (lines.size() > 10 ? ", …" : "");
    }
}
