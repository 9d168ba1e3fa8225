package dev.claw4j.core.folder;

import static dev.claw4j.core.folder.Libc.Flags.*;

import com.sun.jna.LastErrorException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * An open folder inside a group folder, held by its file descriptor. Every operation is relative to that
 * descriptor and names exactly one entry, opened with {@code O_NOFOLLOW} (a link is refused, never followed)
 * and {@code O_NONBLOCK} (a FIFO never blocks the host); what is opened is checked through the descriptor
 * itself ({@code /proc/self/fd}), so a swap after the check changes nothing. Swapping a folder for a link
 * after it was opened leads nowhere: this descriptor still means the folder that was opened.
 */
final class Dir implements AutoCloseable {
    private static final int AT_FDCWD = -100;
    private static final int CHUNK = 1 << 20;

    private final int fd;
    /** Where this folder is inside the group folder, for refusals ("" for the group folder itself). */
    private final String where;
    private final Owner owner;

    /** Who gets what the host creates: the sandbox's user, or (when the host is not root) everyone. */
    record Owner(int uid, int gid) {}

    private Dir(int fd, String where, Owner owner) {
        this.fd = fd;
        this.where = where;
        this.owner = owner;
    }

    /** Opens a folder the host owns the path to (its parents are the host's); the last name is not followed. */
    static Dir open(Path dir, Owner owner) {
        try {
            int d = Libc.C.openat(AT_FDCWD, dir.toAbsolutePath().toString(),
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
            return new Dir(d, "", owner);
        } catch (LastErrorException e) {
            throw new FolderRefusal("", reason(e.getErrorCode(), "folder"));
        }
    }

    /** A sub-folder, made (owned by the sandbox user) when missing and {@code create} is set. */
    Dir dir(String name, boolean create) {
        String path = path(check(name)) + "/";
        if (create) {
            try {
                Libc.C.mkdirat(fd, name, 0700);
                Dir made = openChild(name, path);
                made.giveAway(0777);
                return made;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EEXIST) {
                    throw new FolderRefusal(path, reason(e.getErrorCode(), "folder"));
                }
            }
        }
        return openChild(name, path);
    }

    private Dir openChild(String name, String path) {
        try {
            return new Dir(Libc.C.openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0),
                    path, owner);
        } catch (LastErrorException e) {
            throw new FolderRefusal(path, reason(e.getErrorCode(), "folder"));
        }
    }

    /** A plain file's content, at most {@code cap} bytes; null when there is no such entry. */
    byte[] read(String name, int cap) {
        String path = path(check(name));
        int f;
        try {
            f = Libc.C.openat(fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENOENT) {
                return null;
            }
            throw new FolderRefusal(path, reason(e.getErrorCode(), "file"));
        }
        try {
            requirePlainFile(f, path);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[Math.min(cap, CHUNK)];
            while (out.size() < cap) {
                long n = Libc.C.read(f, buffer, Math.min(buffer.length, cap - out.size()));
                if (n <= 0) {
                    break;
                }
                out.write(buffer, 0, (int) n);
            }
            return out.toByteArray();
        } catch (LastErrorException e) {
            throw new FolderRefusal(path, "cannot be read (errno " + e.getErrorCode() + ")");
        } finally {
            closeQuietly(f);
        }
    }

    /**
     * Writes a file under a fresh name (created, never opened: {@code O_CREAT|O_EXCL}), hands it to the sandbox
     * user, then renames it over {@code name}. A link or FIFO planted at {@code name} is replaced, never used.
     */
    void write(String name, byte[] content) {
        String path = path(check(name));
        String temp = ".claw4j-new-" + UUID.randomUUID();
        try {
            int f = Libc.C.openat(fd, temp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
            try {
                for (int at = 0; at < content.length; ) {
                    byte[] chunk = Arrays.copyOfRange(content, at, Math.min(content.length, at + CHUNK));
                    long n = Libc.C.write(f, chunk, chunk.length);
                    if (n <= 0) {
                        throw new FolderRefusal(path, "could not be written");
                    }
                    at += (int) n;
                }
                giveAway(f, 0666);
            } finally {
                closeQuietly(f);
            }
            Libc.C.renameat(fd, temp, fd, name);
        } catch (LastErrorException e) {
            try {
                Libc.C.unlinkat(fd, temp, 0);
            } catch (LastErrorException gone) {
                // never made
            }
            throw new FolderRefusal(path, e.getErrorCode() == EISDIR ? "is a folder, not a file"
                    : "could not be written (errno " + e.getErrorCode() + ")");
        }
    }

    /** Creates a file only when no entry has the name; false when one exists (whatever it is). */
    boolean createIfAbsent(String name, byte[] content) {
        String path = path(check(name));
        try {
            int f = Libc.C.openat(fd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC, 0600);
            try {
                if (content.length > 0) {
                    Libc.C.write(f, content, content.length);
                }
                giveAway(f, 0666);
            } finally {
                closeQuietly(f);
            }
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EEXIST) {
                return false;
            }
            throw new FolderRefusal(path, "could not be created (errno " + e.getErrorCode() + ")");
        }
    }

    /** Removes the entry itself (a link, not its target); false when there was none. */
    boolean delete(String name) {
        String path = path(check(name));
        try {
            Libc.C.unlinkat(fd, name, 0);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == ENOENT) {
                return false;
            }
            throw new FolderRefusal(path, e.getErrorCode() == EISDIR ? "is a folder, not a file"
                    : "could not be removed (errno " + e.getErrorCode() + ")");
        }
    }

    /** The names in this folder, at most {@code max}. */
    List<String> list(int max) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(self())) {
            for (Path p : entries) {
                if (names.size() >= max) {
                    break;
                }
                names.add(p.getFileName().toString());
            }
        } catch (IOException e) {
            throw new FolderRefusal(where, "cannot be listed: " + e.getMessage());
        }
        return names;
    }

    /** An entry's own attributes (a link is described, not followed); null when it is gone. */
    BasicFileAttributes attributes(String name) {
        try {
            return Files.readAttributes(self().resolve(check(name)), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    String where() {
        return where;
    }

    /** Hands the folder itself to the sandbox user (it is mounted as the sandbox's own). */
    void giveAway(int modeIfNotRoot) {
        giveAway(fd, modeIfNotRoot);
    }

    private void giveAway(int f, int modeIfNotRoot) {
        try {
            Libc.C.fchown(f, owner.uid(), owner.gid());
        } catch (LastErrorException e) {
            if (e.getErrorCode() != EPERM) {
                throw e;
            }
            Libc.C.fchmod(f, modeIfNotRoot); // not root: the sandbox user can only be let in by mode
        }
    }

    private Path self() {
        return Path.of("/proc/self/fd/" + fd);
    }

    private void requirePlainFile(int f, String path) {
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(Path.of("/proc/self/fd/" + f), BasicFileAttributes.class);
        } catch (IOException e) {
            throw new FolderRefusal(path, "cannot be examined: " + e.getMessage());
        }
        if (!attrs.isRegularFile()) {
            throw new FolderRefusal(path, "is not a plain file (a FIFO, socket or device)");
        }
    }

    private String path(String name) {
        return where + name;
    }

    /** One entry name: never a path, never "." or "..". */
    private static String check(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.indexOf('/') >= 0
                || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("not a single file name: " + name);
        }
        return name;
    }

    private static String reason(int errno, String expected) {
        return switch (errno) {
            case ELOOP -> "is a symbolic link; the host never follows links in a group folder";
            case ENOTDIR -> "is not a " + expected + " (a file, FIFO or link stands there)";
            case ENXIO -> "is a socket or device";
            case ENOENT -> "does not exist";
            default -> "cannot be opened (errno " + errno + ")";
        };
    }

    private static void closeQuietly(int f) {
        try {
            Libc.C.close(f);
        } catch (LastErrorException e) {
            // nothing to do
        }
    }

    @Override
    public void close() {
        closeQuietly(fd);
    }
}
