package dev.claw4j.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

/** This install's id: made once, kept in the data directory, written on every container it starts. */
final class Install {
    private Install() {}

    static String id(Path dataDir) {
        Path file = dataDir.resolve("install-id");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            Files.createDirectories(dataDir);
            String id = UUID.randomUUID().toString().substring(0, 12);
            Files.writeString(file, id + "\n");
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the install id in " + file + ": " + e.getMessage()
                    + "; check that the data directory is writable", e);
        }
    }
}
