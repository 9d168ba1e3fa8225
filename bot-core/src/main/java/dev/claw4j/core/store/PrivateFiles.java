package dev.claw4j.core.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.FileVisitResult;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's own files in the data directory: the directory is 0700 and every file is created 0600 from the
 * start (the mode is given to the create call, never set afterwards), so no other user of the machine reads
 * the database, its password or the admin token, not even for a moment.
 */
public final class PrivateFiles {
    private static final Logger log = LoggerFactory.getLogger(PrivateFiles.class);
    private static final FileAttribute<Set<PosixFilePermission>> DIR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** Folders in the data directory that are not the host's alone: the agents' folders and their staging. */
    private static final Set<String> NOT_OURS = Set.of("groups", "global", "files");

    private PrivateFiles() {}

    /**
     * Makes the data directory 0700, or tightens an existing one (and the host's own files in it, left by a
     * version that did not) with a log line saying so. The agents' folders ({@code groups/}, {@code global/},
     * {@code files/}) are left as they are: their owner and modes are the sandbox's.
     */
    public static Path dataDirectory(Path dataDir) {
        Path dir = directory(dataDir);
        try {
            // the agents' folders are never entered: walking them by path is what the folder door exists to avoid,
            // and it would make every start cost as much as all the groups' files
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                    if (!d.equals(dir) && NOT_OURS.contains(dir.relativize(d).getName(0).toString())) {
                        return FileVisitResult.SKIP_SUBTREE;
                    }
                    if (!d.equals(dir)) {
                        tighten(d);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (!attrs.isSymbolicLink()) {
                        tighten(file);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            log.warn("could not check the modes of the files in {}: {}", dir, e.getMessage());
        }
        return dir;
    }

    /** Creates a directory (and its missing parents) 0700, or tightens an existing one with a log line. */
    public static Path directory(Path dir) {
        try {
            if (Files.isDirectory(dir)) {
                tighten(dir.toRealPath()); // a data directory may be a link the operator made to another disk
            } else {
                Files.createDirectories(dir, DIR);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder " + dir + ": " + e.getMessage()
                    + "; check that its parent exists and is writable by this user", e);
        }
    }

    /**
     * The content of a file made once and kept (a password, a token, an id): read when it exists, else created
     * 0600 with {@code made}. Two processes racing to make it end up with the same content.
     */
    public static String readOrCreate(Path file, String made) {
        try {
            Optional<String> existing = read(file);
            if (existing.isPresent()) {
                return existing.get();
            }
            directory(file.getParent());
            try {
                write(file, made, StandardOpenOption.CREATE_NEW);
                return made;
            } catch (FileAlreadyExistsException raced) {
                return read(file).orElse(made);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep " + file + ": " + e.getMessage()
                    + "; check that the data directory is writable by this user", e);
        }
    }

    /**
     * Replaces a file's content atomically: written to a new 0600 file beside it and moved over it, so a crash
     * leaves the old content or the new, never half of one.
     */
    public static void replace(Path file, String content) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(tmp); // a leftover of a crash, with whatever mode it had
        write(tmp, content, StandardOpenOption.CREATE_NEW);
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Creates a new 0600 file with this content (the mode is given to the create call); fails if it exists. */
    public static void createNew(Path file, byte[] content) throws IOException {
        try (SeekableByteChannel out = Files.newByteChannel(file,
                EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), FILE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content);
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    /** Creates an empty 0600 file if there is none (for files another library then opens, like H2's). */
    public static void touch(Path file) throws IOException {
        try {
            Files.createFile(file, FILE);
        } catch (FileAlreadyExistsException e) {
            // kept as it is: an existing file was tightened at start, or is the operator's
        }
    }

    /** True when a group or other permission bit is set on {@code path} (not following a link). */
    public static boolean openToOthers(Path path) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
        return perms.stream().anyMatch(GROUP_OR_OTHER::contains);
    }

    private static Optional<String> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip());
    }

    private static void write(Path file, String content, StandardOpenOption create) throws IOException {
        try (SeekableByteChannel out = Files.newByteChannel(file, EnumSet.of(create, StandardOpenOption.WRITE), FILE)) {
            ByteBuffer bytes = ByteBuffer.wrap(content.getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
        }
    }

    private static void tighten(Path path) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS);
            if (perms.removeAll(GROUP_OR_OTHER)) {
                Files.setPosixFilePermissions(path, perms);
                log.info("{} was open to other users of this machine; now {} (owner only)", path,
                        PosixFilePermissions.toString(perms));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make " + path + " private to this user: " + e.getMessage()
                    + "; fix its owner or mode (chmod go-rwx)", e);
        }
    }
}
