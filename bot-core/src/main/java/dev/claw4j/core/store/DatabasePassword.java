package dev.claw4j.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The database password of this install: random, made on first use, readable by its owner only. */
final class DatabasePassword {
    private DatabasePassword() {}

    static String of(Path dataDir) {
        Path file = dataDir.resolve("db-password");
        try {
            if (Files.exists(file)) {
                return Files.readString(file).strip();
            }
            Files.createDirectories(dataDir);
            byte[] bytes = new byte[24];
            new SecureRandom().nextBytes(bytes);
            String password = HexFormat.of().formatHex(bytes);
            Files.writeString(file, password + "\n");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            return password;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the database password in " + file + ": " + e.getMessage()
                    + "; check that the data directory is writable", e);
        }
    }
}
