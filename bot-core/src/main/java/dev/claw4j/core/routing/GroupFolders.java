package dev.claw4j.core.routing;

import dev.claw4j.core.sandbox.GroupIds;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

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
    private final Path incomingDir;
    private final Path outgoingDir;

    public GroupFolders(Path dataDir) {
        this.groupsDir = dataDir.resolve("groups");
        this.globalDir = dataDir.resolve("global");
        this.incomingDir = dataDir.resolve("files/incoming");
        this.outgoingDir = dataDir.resolve("files/outgoing");
    }

    /**
     * Keeps a file a person sent until its message is routed ({@link #moveIncoming}); written before the
     * message is stored, so a crash in between loses nothing.
     */
    public void stageIncoming(String name, byte[] content) {
        try {
            Files.createDirectories(incomingDir);
            Files.write(incomingDir.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep an incoming file in " + incomingDir + ": " + e.getMessage(), e);
        }
    }

    /** Moves staged incoming files into the group's {@code inbox/}, where its agent sees them. */
    public void moveIncoming(String groupId, List<String> names) {
        Path inbox = groupDir(groupId).resolve("inbox");
        try {
            Files.createDirectories(inbox);
            for (String name : names) {
                Path staged = incomingDir.resolve(name);
                if (Files.exists(staged, LinkOption.NOFOLLOW_LINKS)) {
                    Files.move(staged, inbox.resolve(name), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move incoming files to " + inbox + ": " + e.getMessage(), e);
        }
    }

    /** Keeps a copy of a file an agent sends, for the outbox; the agent cannot change it afterwards. */
    public Path keepOutgoing(String name, byte[] content) {
        try {
            Files.createDirectories(outgoingDir);
            Path file = outgoingDir.resolve(System.currentTimeMillis() + "-" + safeName(name));
            Files.write(file, content);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep an outgoing file in " + outgoingDir + ": " + e.getMessage(), e);
        }
    }

    /** A file name that is safe as one path element on every platform. */
    public static String safeName(String name) {
        String base = name == null ? "" : name.replaceAll(".*[/\\\\]", "");
        base = base.replaceAll("[^A-Za-z0-9._-]+", "_").replaceAll("^[.]+", "");
        if (base.length() > 100) {
            base = base.substring(base.length() - 100);
        }
        return base.isEmpty() ? "file" : base;
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
