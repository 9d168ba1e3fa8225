package dev.claw4j.core.store;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/** The database password of this install: random, made on first use, created readable by its owner only. */
final class DatabasePassword {
    static final String FILE = "db-password";

    private DatabasePassword() {}

    static String of(Path dataDir) {
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        return PrivateFiles.readOrCreate(dataDir.resolve(FILE), HexFormat.of().formatHex(bytes));
    }
}
