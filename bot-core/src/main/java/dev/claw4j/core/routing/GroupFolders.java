package dev.claw4j.core.routing;

import dev.claw4j.core.sandbox.GroupIds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The groups' folders under {@code data/groups/<group>/} and the shared {@code data/global/}. Memory files
 * are read here with care: the agent owns its folder and may have swapped AGENT.md for a symlink to a file
 * it must not see, so links are never followed and sizes are capped.
 */
public final class GroupFolders {
    public static final String MEMORY_FILE = "AGENT.md";
    public static final String SESSION_FILE = ".claw4j/session.jsonl";
    private static final int MEMORY_CAP = 64 * 1024;

    private final Path groupsDir;
    private final Path globalDir;

    public GroupFolders(Path dataDir) {
        this.groupsDir = dataDir.resolve("groups");
        this.globalDir = dataDir.resolve("global");
    }

    public Path groupDir(String groupId) {
        return groupsDir.resolve(GroupIds.requireValid(groupId));
    }

    public Path globalDir() {
        return globalDir;
    }

    /** Makes the group's folder with a starting memory file. */
    public void create(String groupId) {
        Path dir = groupDir(groupId);
        try {
            Files.createDirectories(dir);
            Path memory = dir.resolve(MEMORY_FILE);
            if (!Files.exists(memory, LinkOption.NOFOLLOW_LINKS)) {
                Files.writeString(memory, "# Memory of this chat's agent\n\nNotes the agent keeps between "
                        + "conversations go here.\n");
            }
            Files.createDirectories(globalDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of group " + groupId + " in " + groupsDir
                    + ": " + e.getMessage() + "; check that the data directory is writable", e);
        }
    }

    /** The group's own memory, or "" when there is none (or it is not a plain file). */
    public String memory(String groupId) {
        return readPlainFile(groupDir(groupId).resolve(MEMORY_FILE));
    }

    /** The memory shared by all groups (read-only for agents). */
    public String sharedMemory() {
        return readPlainFile(globalDir.resolve(MEMORY_FILE));
    }

    /** Forgets the group's conversation; its files and memory stay. */
    public void resetSession(String groupId) {
        try {
            Files.deleteIfExists(groupDir(groupId).resolve(SESSION_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset the session of " + groupId + ": " + e.getMessage(), e);
        }
    }

    private static String readPlainFile(Path file) {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                return "";
            }
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                byte[] bytes = in.readNBytes(MEMORY_CAP);
                return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            return "";
        }
    }
}
