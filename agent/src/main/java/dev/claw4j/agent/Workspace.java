package dev.claw4j.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Where the file tools may go: the workspace root ({@code /workspace} in the sandbox) and the group's
 * folder under it ({@code /workspace/group}, the default for relative paths). {@code /workspace/global}
 * (shared memory, mounted read-only) can be read through absolute paths.
 *
 * <p>This check keeps the file tools on the workspace and their errors clear. It is not the security
 * wall: bash can read whatever the container can, and the container is what keeps the agent in.
 */
final class Workspace {
    private final Path root;
    private final Path group;

    Workspace(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.group = this.root.resolve("group");
    }

    Path root() {
        return root;
    }

    /** The group's folder: working directory of bash, base of relative paths, home of the session file. */
    Path group() {
        return group;
    }

    /**
     * The path the model gave, resolved: relative to the group folder, absolute only under the root.
     * Refused when it leaves the root, lexically ({@code ../..}) or through a symbolic link whose real
     * target lies outside.
     */
    Path resolve(String path) throws ToolException {
        if (path == null || path.isBlank()) {
            return group;
        }
        Path given;
        try {
            given = Path.of(path);
        } catch (InvalidPathException e) {
            throw new ToolException("\"" + path + "\" is not a valid path: " + e.getReason());
        }
        Path resolved = (given.isAbsolute() ? given : group.resolve(given)).normalize();
        if (!resolved.startsWith(root)) {
            throw new ToolException("path " + path + " is outside " + root + "; use a path under " + group);
        }
        if (!realPath(resolved, path).startsWith(realRoot())) {
            throw new ToolException("path " + path + " leads outside " + root
                    + " through a symbolic link; use a path under " + group);
        }
        return resolved;
    }

    /** How a path is shown to the model: relative to the group folder when inside it, else absolute. */
    String display(Path path) {
        if (path.startsWith(group)) {
            Path relative = group.relativize(path);
            return relative.toString().isEmpty() ? "." : relative.toString();
        }
        return path.toString();
    }

    /**
     * The real path of the longest part that exists (all symbolic links followed), with the rest, which does
     * not exist yet and so holds no links, appended.
     */
    private Path realPath(Path resolved, String given) throws ToolException {
        Path existing = resolved;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return resolved;
        }
        try {
            return existing.toRealPath().resolve(existing.relativize(resolved));
        } catch (IOException e) {
            // exists without following links but not with: a symbolic link to nothing. Writing through it
            // would create its target, wherever that is.
            throw new ToolException("path " + given + " goes through a symbolic link whose target does not exist ("
                    + display(existing) + "); use a path under " + group);
        }
    }

    private Path realRoot() {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root;
        }
    }
}
