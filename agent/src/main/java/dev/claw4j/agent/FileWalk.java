package dev.claw4j.agent;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Collects the entries under a folder, sorted, for list_files and grep. Symbolic links are listed but
 * not followed (so a walk cannot leave the workspace), unreadable folders are skipped, {@code .git} is
 * listed but not entered (it is noise for both tools), and the walk stops after {@code maxEntries}.
 */
final class FileWalk {
    /** The entries found; {@code complete} is false when the walk stopped at its cap. */
    record Result(List<Path> entries, boolean complete) {}

    private FileWalk() {}

    static Result under(Path start, boolean recursive, int maxEntries) throws IOException {
        List<Path> entries = new ArrayList<>();
        boolean[] stopped = {false};
        Files.walkFileTree(start, Set.of(), recursive ? Integer.MAX_VALUE : 1, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                if (dir.equals(start)) {
                    return FileVisitResult.CONTINUE;
                }
                if (!add(dir)) {
                    return FileVisitResult.TERMINATE;
                }
                return dir.getFileName().toString().equals(".git")
                        ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                return add(file) ? FileVisitResult.CONTINUE : FileVisitResult.TERMINATE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }

            private boolean add(Path path) {
                if (entries.size() >= maxEntries) {
                    stopped[0] = true;
                    return false;
                }
                entries.add(path);
                return true;
            }
        });
        entries.sort(null);
        return new Result(entries, !stopped[0]);
    }
}
