package dev.claw4j.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
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
            try {
                giveToSandboxUser(dir);
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
                // what is inside belongs to the agent; the host made it through the folder door (bot-core
                // GroupFolders), owned by the sandbox user from the start, and never walks it from here
            } catch (IOException | UnsupportedOperationException notRoot) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the group folder " + dir + ": " + e.getMessage()
                    + "; check that the data directory is writable", e);
        }
    }

    private static void giveToSandboxUser(Path path) throws IOException {
        Object owner = Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        if (!(owner instanceof Integer uid && uid == SANDBOX_UID)) {
            Files.setAttribute(path, "unix:uid", SANDBOX_UID, LinkOption.NOFOLLOW_LINKS);
            Files.setAttribute(path, "unix:gid", SANDBOX_UID, LinkOption.NOFOLLOW_LINKS);
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
