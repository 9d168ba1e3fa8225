package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** Lists a folder (optionally recursively), sorted, with file sizes, up to a fixed number of entries. */
final class ListFilesTool implements Tool {
    static final int MAX_SHOWN = 500;
    /** Walking stops here, so a huge tree cannot stall the turn; the listing then says it is incomplete. */
    private static final int MAX_SCANNED = 100_000;

    private static final ToolSpec SPEC = new ToolSpec("list_files",
            "Lists the files in a folder with their sizes (folders end with /). Default: the group folder"
                    + " (/workspace/group). Shared memory is under /workspace/global.",
            """
            {"type": "object",
             "properties": {
               "path": {"type": "string", "description": "folder path, relative to the group folder or absolute under /workspace (default: the group folder)"},
               "recursive": {"type": "boolean", "description": "also list everything in sub-folders (default false)"}
             }}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public String detail(ToolArgs args) {
        String path = args.text("path");
        return path.isEmpty() ? "." : path;
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        Workspace workspace = context.workspace();
        Path dir = workspace.resolve(args.optionalString("path").orElse(""));
        boolean recursive = args.flag("recursive", false);
        if (!Files.exists(dir)) {
            throw new ToolException(workspace.display(dir) + " does not exist");
        }
        if (!Files.isDirectory(dir)) {
            return ToolResult.ok(describe(dir, dir.getFileName().toString()));
        }
        FileWalk.Result walk;
        try {
            walk = FileWalk.under(dir, recursive, MAX_SCANNED);
        } catch (IOException e) {
            throw new ToolException("cannot list " + workspace.display(dir) + ": " + WriteFileTool.describe(e));
        }
        List<Path> entries = walk.entries();
        if (entries.isEmpty()) {
            return ToolResult.ok(workspace.display(dir) + " is empty");
        }
        StringBuilder out = new StringBuilder();
        entries.stream().limit(MAX_SHOWN)
                .forEach(p -> out.append(describe(p, dir.relativize(p).toString())).append('\n'));
        if (entries.size() > MAX_SHOWN) {
            out.append("[… ").append(entries.size() - MAX_SHOWN).append(" more entries not shown; list a sub-folder]\n");
        }
        if (!walk.complete()) {
            out.append("[stopped after ").append(MAX_SCANNED).append(" entries; list a sub-folder]\n");
        }
        return ToolResult.ok(out.toString().stripTrailing());
    }

    private static String describe(Path path, String name) {
        try {
            if (Files.isSymbolicLink(path)) {
                return name + " -> " + Files.readSymbolicLink(path);
            }
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                return name + "/";
            }
            long size = Files.size(path);
            return name + "  (" + size + (size == 1 ? " byte)" : " bytes)");
        } catch (IOException e) {
            return name + "  (unreadable)";
        }
    }
}
