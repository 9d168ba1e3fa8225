package dev.claw4j.agent;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Checks the file tools share: does it exist, is it a regular file, does it look like text. */
final class FileChecks {
    /** How much of a file is looked at to decide whether it is binary. */
    private static final int SNIFF_BYTES = 8192;

    private FileChecks() {}

    /** The path as an existing regular file, or a message saying what it is instead. */
    static Path existingFile(Path path, Workspace workspace) throws ToolException {
        if (Files.isDirectory(path)) {
            throw new ToolException(workspace.display(path) + " is a directory; use list_files to see what is in it");
        }
        if (!Files.exists(path)) {
            throw new ToolException(workspace.display(path) + " does not exist; use list_files to see what is there");
        }
        if (!Files.isRegularFile(path)) {
            throw new ToolException(workspace.display(path) + " is not a regular file");
        }
        return path;
    }

    /** True when the start of the file holds a NUL byte, which text files do not have. */
    static boolean looksBinary(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] start = in.readNBytes(SNIFF_BYTES);
            for (byte b : start) {
                if (b == 0) {
                    return true;
                }
            }
            return false;
        }
    }
}
