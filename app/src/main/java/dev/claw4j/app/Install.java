package dev.claw4j.app;

import dev.claw4j.core.store.PrivateFiles;
import java.nio.file.Path;
import java.util.UUID;

/** This install's id: made once, kept in the data directory (0600), written on every container it starts. */
final class Install {
    private Install() {}

    static String id(Path dataDir) {
        PrivateFiles.dataDirectory(dataDir);
        return PrivateFiles.readOrCreate(dataDir.resolve("install-id"), UUID.randomUUID().toString().substring(0, 12));
    }
}
