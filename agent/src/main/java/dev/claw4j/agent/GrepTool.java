package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Searches files for a Java regular expression, in Java (so it works the same in any image), printing
 * {@code file:line:text}. Binary files and {@code .git} are skipped; results and line lengths are capped.
 */
final class GrepTool implements Tool {
    static final int MAX_MATCHES = 200;
    private static final int MAX_LINE_CHARS = 300;
    private static final int MAX_FILES = 100_000;
    /** Larger files are skipped: they are data, not text to search line by line. */
    private static final long MAX_FILE_BYTES = 20L * 1024 * 1024;

    private static final ToolSpec SPEC = new ToolSpec("grep",
            "Searches text files for a regular expression (Java syntax) and prints file:line:text for each"
                    + " matching line. Searches the group folder unless a path is given; binary files are skipped.",
            """
            {"type": "object",
             "properties": {
               "pattern": {"type": "string", "description": "Java regular expression, e.g. \\"TODO|FIXME\\" or \\"(?i)error\\""},
               "path": {"type": "string", "description": "file or folder to search, relative to the group folder or absolute under /workspace (default: the group folder)"},
               "glob": {"type": "string", "description": "only files whose name matches this glob, e.g. \\"*.md\\"; a glob with / matches the path below the searched folder"}
             },
             "required": ["pattern"]}""");

    @Override
    public ToolSpec spec() {
        return SPEC;
    }

    @Override
    public String detail(ToolArgs args) {
        String path = args.text("path");
        return args.text("pattern") + (path.isEmpty() ? "" : " in " + path);
    }

    @Override
    public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
        Workspace workspace = context.workspace();
        Pattern pattern = compile(args.string("pattern"));
        Path start = workspace.resolve(args.optionalString("path").orElse(""));
        PathMatcher glob = globMatcher(args.optionalString("glob").orElse(null));
        if (!Files.exists(start)) {
            throw new ToolException(workspace.display(start) + " does not exist");
        }
        FileWalk.Result walk;
        try {
            walk = Files.isDirectory(start) ? FileWalk.under(start, true, MAX_FILES)
                    : new FileWalk.Result(List.of(start), true);
        } catch (IOException e) {
            throw new ToolException("cannot search " + workspace.display(start) + ": " + WriteFileTool.describe(e));
        }

        StringBuilder out = new StringBuilder();
        int matches = 0;
        for (Path file : walk.entries()) {
            if (!Files.isRegularFile(file) || !matchesGlob(glob, start, file)) {
                continue;
            }
            matches += search(file, pattern, workspace.display(file), out, MAX_MATCHES - matches);
            if (matches >= MAX_MATCHES) {
                out.append("[stopped at ").append(MAX_MATCHES).append(" matches; narrow the pattern, path or glob]\n");
                break;
            }
        }
        if (!walk.complete()) {
            out.append("[searched only the first ").append(MAX_FILES).append(" files; give a narrower path]\n");
        }
        if (matches == 0) {
            return ToolResult.ok("no matches for " + pattern.pattern() + " in " + workspace.display(start));
        }
        return ToolResult.ok(out.toString().stripTrailing());
    }

    /** Appends up to {@code room} matching lines of one file; returns how many. Unreadable and binary files count 0. */
    private static int search(Path file, Pattern pattern, String name, StringBuilder out, int room) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES || FileChecks.looksBinary(file)) {
                return 0;
            }
            int found = 0;
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(Files.newInputStream(file), StandardCharsets.UTF_8))) {
                Matcher matcher = pattern.matcher("");
                String line;
                for (int number = 1; found < room && (line = reader.readLine()) != null; number++) {
                    if (matcher.reset(line).find()) {
                        out.append(name).append(':').append(number).append(':')
                                .append(Text.shorten(line, MAX_LINE_CHARS)).append('\n');
                        found++;
                    }
                }
            }
            return found;
        } catch (IOException e) {
            return 0;
        }
    }

    private static Pattern compile(String regex) throws ToolException {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new ToolException("pattern is not a valid Java regular expression: " + e.getDescription()
                    + " near index " + e.getIndex() + " of " + regex);
        }
    }

    private static PathMatcher globMatcher(String glob) throws ToolException {
        if (glob == null || glob.isBlank()) {
            return null;
        }
        try {
            return FileSystems.getDefault().getPathMatcher("glob:" + glob);
        } catch (IllegalArgumentException e) {
            throw new ToolException("glob " + glob + " is not valid: " + e.getMessage());
        }
    }

    private static boolean matchesGlob(PathMatcher glob, Path start, Path file) {
        if (glob == null) {
            return true;
        }
        return glob.matches(file.getFileName()) || glob.matches(start.relativize(file));
    }
}
