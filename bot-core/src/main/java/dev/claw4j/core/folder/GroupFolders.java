package dev.claw4j.core.folder;

import dev.claw4j.core.sandbox.GroupIds;
import dev.claw4j.core.store.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.BiConsumer;

/**
 * The one door into the groups' folders ({@code data/groups/<group>/}) and the shared {@code data/global/}.
 * The agent owns its folder and may plant links, FIFOs, huge or sparse files at any name in it, and swap them
 * while the host works; so every host-side access goes through here, relative to folders opened without
 * following links ({@link Dir}): no link is followed on any component, no FIFO, socket or device is opened,
 * reads are capped, and what the host creates belongs to the sandbox's user. A refusal is reported to
 * {@code onRefused} (for the audit trail) with the group and the name as the agent sees it.
 */
public final class GroupFolders {
    public static final String MEMORY_FILE = "AGENT.md";
    public static final String SESSION_DIR = ".claw4j";
    public static final String SESSION_FILE = "session.jsonl";
    public static final String INBOX = "inbox";
    public static final int SANDBOX_UID = 1000;
    public static final int MEMORY_CAP = 64 * 1024;
    /** The size walk's bounds: a folder deeper or bigger than this counts as unmeasurable. */
    public static final int MAX_DEPTH = 256;
    public static final int MAX_ENTRIES = 1_000_000;
    private static final String STARTING_MEMORY = "# Memory of this chat's agent\n\nNotes the agent keeps between "
            + "conversations go here.\n";

    private final Path groupsDir;
    private final Path globalDir;
    private final Path outgoingDir;
    private final Dir.Owner owner = new Dir.Owner(SANDBOX_UID, SANDBOX_UID);
    private final BiConsumer<String, FolderRefusal> onRefused;

    /** @param onRefused told of every refusal: the group id and what was refused */
    public GroupFolders(Path dataDir, BiConsumer<String, FolderRefusal> onRefused) {
        this.groupsDir = dataDir.resolve("groups");
        this.globalDir = dataDir.resolve("global");
        this.outgoingDir = dataDir.resolve("files/outgoing");
        this.onRefused = onRefused;
    }

    public Path groupDir(String groupId) {
        return groupsDir.resolve(GroupIds.requireValid(groupId));
    }

    public Path globalDir() {
        return globalDir;
    }

    /** Makes the group's folder, owned by the sandbox's user, with a starting memory file. */
    public void create(String groupId) {
        try {
            Files.createDirectories(groupsDir);
            Files.createDirectories(globalDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + groupsDir + ": " + e.getMessage()
                    + "; check that the data directory is writable", e);
        }
        try (Dir groups = Dir.open(groupsDir, owner); Dir group = groups.dir(GroupIds.requireValid(groupId), true)) {
            group.createIfAbsent(MEMORY_FILE, STARTING_MEMORY.getBytes(StandardCharsets.UTF_8));
        } catch (FolderRefusal e) {
            throw refused(groupId, e);
        }
    }

    /** The group's own memory, or "" when there is none or it is not a plain file (refused and reported). */
    public String memory(String groupId) {
        try (Dir group = open(groupId)) {
            byte[] bytes = group.read(MEMORY_FILE, MEMORY_CAP);
            return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
        } catch (FolderRefusal e) {
            refused(groupId, e);
            return "";
        }
    }

    /** The memory shared by all groups (read-only for agents, written by the operator). */
    public String sharedMemory() {
        try (Dir global = Dir.open(globalDir, owner)) {
            byte[] bytes = global.read(MEMORY_FILE, MEMORY_CAP);
            return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
        } catch (FolderRefusal e) {
            return "";
        }
    }

    /** Forgets the group's conversation; its files and memory stay. False when it was refused (and reported). */
    public boolean resetSession(String groupId) {
        try (Dir group = open(groupId)) {
            if (group.attributes(SESSION_DIR) == null) {
                return true;
            }
            try (Dir session = group.dir(SESSION_DIR, false)) {
                session.delete(SESSION_FILE);
            }
            return true;
        } catch (FolderRefusal e) {
            refused(groupId, e);
            return false;
        }
    }

    /**
     * Puts a file a person sent into the group's {@code inbox/} under {@code name} (already a safe name).
     * Returns the name as the agent sees it, {@code inbox/<name>}; throws (reported) when refused.
     */
    public String putInbox(String groupId, String name, byte[] content) {
        try (Dir group = open(groupId); Dir inbox = group.dir(INBOX, true)) {
            inbox.write(safeName(name), content);
            return INBOX + "/" + safeName(name);
        } catch (FolderRefusal e) {
            throw refused(groupId, e);
        }
    }

    /**
     * The folder's size in bytes, links not followed (a sparse file counts at its full length). Not complete when
     * it is deeper than {@value #MAX_DEPTH} levels (what lies deeper is not counted) or has more than
     * {@value #MAX_ENTRIES} entries (then it cannot be measured at all).
     */
    public record Size(long bytes, long entries, boolean complete) {
        public boolean measurable() {
            return entries <= MAX_ENTRIES;
        }
    }

    /** Measures the group folder, bounded in depth and entries; an unmeasurable folder says so. */
    public Size size(String groupId) {
        long[] total = new long[2];
        boolean complete;
        try (Dir group = open(groupId)) {
            complete = walk(group, 0, total);
        } catch (FolderRefusal e) {
            return new Size(0, MAX_ENTRIES + 1L, false);
        }
        return new Size(total[0], total[1], complete);
    }

    private static boolean walk(Dir dir, int depth, long[] total) {
        if (depth > MAX_DEPTH) {
            return false;
        }
        boolean complete = true;
        for (String name : dir.list(MAX_ENTRIES)) {
            if (++total[1] > MAX_ENTRIES) {
                return false;
            }
            BasicFileAttributes attrs = dir.attributes(name);
            if (attrs == null) {
                continue; // gone meanwhile
            }
            if (attrs.isDirectory()) {
                try (Dir child = dir.dir(name, false)) {
                    complete &= walk(child, depth + 1, total);
                } catch (FolderRefusal swapped) {
                    // swapped for something else since it was listed: not a folder any more, nothing to walk
                }
            } else {
                total[0] += attrs.size();
            }
            if (!complete) {
                return false;
            }
        }
        return complete;
    }

    /** Keeps a copy of a file an agent sends, for the outbox, in the host's own folder (0600 from the start). */
    public Path keepOutgoing(String name, byte[] content) {
        try {
            PrivateFiles.directory(outgoingDir);
            Path file = outgoingDir.resolve(System.currentTimeMillis() + "-" + safeName(name));
            PrivateFiles.createNew(file, content);
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

    private Dir open(String groupId) {
        return Dir.open(groupDir(groupId), owner);
    }

    private FolderRefusal refused(String groupId, FolderRefusal e) {
        onRefused.accept(groupId, e);
        return e;
    }
}
