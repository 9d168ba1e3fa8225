package dev.claw4j.core.cluster;

import dev.claw4j.core.store.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Whether this host sees the install's group folders. Hosts sharing a database must share the folders too (a group's
 * turn may run on any of them): the first host to start puts a file with a random id in the folders root and stores
 * the id in the database; every later start, on any host, finds the same id in both or refuses to start.
 */
public final class FoldersMarker {
    /** The marker file in the folders root. */
    public static final String FILE = ".claw4j-folders-id";
    private static final String FACT = "folders.marker";
    /** The SQL state of a unique key violation, the same on H2 and PostgreSQL. */
    private static final String UNIQUE_VIOLATION = "23505";

    private FoldersMarker() {}

    /**
     * Checks (on the first start: makes) the marker of the folders in {@code root}; returns its id.
     *
     * @throws FoldersMismatchException when {@code root} is not the folders the database was used with
     */
    public static String check(DataSource db, Path root) {
        Optional<String> stored = stored(db);
        Optional<String> found = read(root);
        if (stored.isEmpty()) {
            // the first start on this database (or the first since the marker came in): the folders here are the ones
            String id = found.orElseGet(() -> make(root));
            stored = Optional.of(storeOrRead(db, id));
            found = read(root);
        }
        String expected = stored.get();
        if (found.isEmpty()) {
            throw new FoldersMismatchException("the group folders root " + root + " has no marker file " + FILE
                    + ", but this database was used with group folders that have one (id " + expected + "): this host "
                    + "does not see the install's group folders. Mount the shared folders (the storage the other hosts "
                    + "use) at " + root + ", or set cluster.folders to where they are mounted, then start again. If "
                    + "the folders were lost and you mean to go on with empty ones, write " + expected + " into "
                    + root.resolve(FILE) + ".");
        }
        if (!found.get().equals(expected)) {
            throw new FoldersMismatchException("the group folders root " + root + " holds other folders (marker id "
                    + found.get() + " in " + root.resolve(FILE) + ") than the ones this database was used with (id "
                    + expected + "): this host does not see the install's group folders. Mount the shared folders "
                    + "(the storage the other hosts use) at " + root + ", or set cluster.folders to where they are "
                    + "mounted, then start again.");
        }
        return expected;
    }

    /** Thrown when a host does not see the install's group folders; the message says what to mount. */
    public static final class FoldersMismatchException extends RuntimeException {
        FoldersMismatchException(String message) {
            super(message);
        }
    }

    private static Optional<String> read(Path root) {
        Path file = root.resolve(FILE);
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            String id = Files.readString(file, StandardCharsets.UTF_8).strip();
            return id.isEmpty() ? Optional.empty() : Optional.of(id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the group folders marker " + file + ": " + e.getMessage()
                    + ". Make it readable by this user", e);
        }
    }

    /** Makes the marker; when another host made one meanwhile, that one stands. */
    private static String make(Path root) {
        String id = UUID.randomUUID().toString();
        Path file = root.resolve(FILE);
        try {
            Files.createDirectories(root);
            // 0600 like the rest of the host's files: the hosts sharing the folders run as one user
            PrivateFiles.createNew(file, (id + "\n").getBytes(StandardCharsets.UTF_8));
            return id;
        } catch (FileAlreadyExistsException raced) {
            return read(root).orElse(id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the group folders marker " + file + ": " + e.getMessage()
                    + ". Make " + root + " writable by this user", e);
        }
    }

    private static Optional<String> stored(DataSource db) {
        try (Connection c = db.getConnection();
                var ps = c.prepareStatement("SELECT fact_value FROM install_facts WHERE name = ?")) {
            ps.setString(1, FACT);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new ClusterException("reading the group folders marker id from the database failed: "
                    + e.getMessage(), e);
        }
    }

    /** Stores {@code id} as the install's, unless another host stored one first: returns the one stored. */
    private static String storeOrRead(DataSource db, String id) {
        try (Connection c = db.getConnection();
                var ps = c.prepareStatement("INSERT INTO install_facts (name, fact_value) VALUES (?, ?)")) {
            ps.setString(1, FACT);
            ps.setString(2, id);
            ps.executeUpdate();
            return id;
        } catch (SQLException e) {
            if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
                return stored(db).orElse(id);
            }
            throw new ClusterException("storing the group folders marker id in the database failed: "
                    + e.getMessage(), e);
        }
    }
}
