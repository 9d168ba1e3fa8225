package dev.claw4j.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Makes a group's folder usable by the sandbox user (uid 1000) before it is mounted. As root the host
 * hands the folder to uid 1000; otherwise it can only open its permissions, which is weaker, so it says so.
 */
final class GroupFolder {
    private static final int SANDBOX_UID = 1000;

    private GroupFolder() {}

    static void prepare(Path dir) {
        try {
            Files.createDirectories(dir);
            Object owner = Files.getAttribute(dir, "unix:uid");
            if (owner instanceof Integer uid && uid == SANDBOX_UID) {
                return;
            }
            try {
                Files.setAttribute(dir, "unix:uid", SANDBOX_UID);
                Files.setAttribute(dir, "unix:gid", SANDBOX_UID);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            } catch (IOException | UnsupportedOperationException notRoot) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the group folder " + dir + ": " + e.getMessage()
                    + "; check that the data directory is writable", e);
        }
    }

    /** The shared folder is mounted read-only; it only needs to exist and be readable. */
    static void prepareShared(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the shared folder " + dir + ": " + e.getMessage(), e);
        }
    }
}
