package dev.claw4j.core.store;

import java.nio.file.Path;
import java.sql.SQLException;
import org.flywaydb.core.Flyway;
import org.h2.api.ErrorCode;
import org.h2.jdbcx.JdbcConnectionPool;

/**
 * Everything the host must not forget, in H2 (a file under the data directory) migrated by Flyway. This class
 * opens the database and hands out one repository per concern ({@link #messages()}, {@link #outbox()}, ...), all
 * over one {@link Jdbc}. Every message is recorded before anything else happens, so a crash loses nothing a user
 * sent. The SQL is kept to what PostgreSQL runs as well.
 */
public final class Store implements AutoCloseable {
    public static final String IN = "in";
    public static final String OUT = "out";
    /** The database's file in the data directory. */
    public static final String DATABASE_FILE = "claw4j.mv.db";

    private final javax.sql.DataSource pool;
    /** Closes the pool: H2's or PostgreSQL's. */
    private final Runnable closePool;
    private final Dialect dialect;
    private final Jdbc jdbc;
    private final Chats chats;
    private final Groups groups;
    private final Messages messages;
    private final Cursors cursors;
    private final Outbox outbox;
    private final Sessions sessions;
    private final AuditLog audit;
    private final UsageLog usage;
    private final Pauses pauses;

    private Store(String url, String password) {
        this(h2Pool(url, password), Dialect.H2);
    }

    private static JdbcConnectionPool h2Pool(String url, String password) {
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "claw4j", password);
        pool.setMaxConnections(32);
        return pool;
    }

    private Store(javax.sql.DataSource pool, Dialect dialect) {
        this.pool = pool;
        this.dialect = dialect;
        this.closePool = switch (pool) {
            case JdbcConnectionPool h2 -> h2::dispose;
            case AutoCloseable other -> () -> {
                try {
                    other.close();
                } catch (Exception e) {
                    throw new StoreException("closing the database pool", e);
                }
            };
            default -> () -> { };
        };
        try {
            migrate(pool);
        } catch (RuntimeException e) {
            closePool.run();
            throw e;
        }
        this.jdbc = new Jdbc(pool);
        this.chats = new Chats(jdbc);
        this.cursors = new Cursors(jdbc);
        this.messages = new Messages(jdbc, cursors);
        this.outbox = new Outbox(jdbc);
        this.audit = new AuditLog(jdbc);
        this.sessions = new Sessions(jdbc, messages, audit);
        this.groups = new Groups(jdbc, sessions);
        this.usage = new UsageLog(jdbc);
        this.pauses = new Pauses(jdbc);
    }

    /**
     * The same migrations on both databases ({@code db/migration}), and the few that must differ in
     * {@code db/vendor/h2} or {@code db/vendor/postgresql} (Flyway fills in {@code {vendor}}). A file's checksum is
     * its content, not its folder, so moving a migration between them keeps existing databases valid.
     */
    static void migrate(javax.sql.DataSource dataSource) {
        Flyway.configure().dataSource(dataSource)
                .locations("classpath:db/migration", "classpath:db/vendor/{vendor}")
                .load().migrate();
    }

    /**
     * Opens the store where the config puts it: {@link #open(Path)} for H2, or a PostgreSQL server (its tables made
     * or migrated by the same migrations). A server that is down or refuses the login fails here, saying what to do.
     */
    public static Store open(StoreLocation location) {
        return switch (location) {
            case StoreLocation.H2File h2 -> open(h2.dataDir());
            case StoreLocation.Postgres pg -> {
                var pool = PostgresPool.open(pg);
                try {
                    yield new Store(pool, Dialect.POSTGRESQL);
                } catch (RuntimeException e) {
                    throw e instanceof StoreException ? e : PostgresPool.refused(pg, e, "migrating claw4j's tables");
                }
            }
        };
    }

    /** Which database this store is on. */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Opens (creating or migrating) the database in {@code dataDir/claw4j.mv.db}, embedded: H2 opens no port, and
     * the file lock lets one process at a time have it ({@link DatabaseInUseException} for the next). Other
     * processes (the {@code ./claw4j access} commands) reach a running host through its admin endpoint. The data
     * directory is made 0700 and the database file 0600 before H2 opens it, and H2 keeps no trace file (its
     * errors reach the caller as exceptions). Its password is made once, readable by the owner only.
     */
    public static Store open(Path dataDir) {
        Path dir = PrivateFiles.dataDirectory(dataDir.toAbsolutePath());
        Path file = dir.resolve(DATABASE_FILE);
        try {
            PrivateFiles.touch(file); // H2 takes an empty file as a new database
        } catch (java.io.IOException e) {
            throw new StoreException("creating the database file " + file + "; check that " + dir
                    + " is writable by this user", e);
        }
        try {
            return new Store(url(dir), DatabasePassword.of(dir));
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SQLException sql && sql.getErrorCode() == ErrorCode.DATABASE_ALREADY_OPEN_1) {
                    throw new DatabaseInUseException(file, e);
                }
            }
            throw e;
        }
    }

    /**
     * The JDBC address of the database in {@code dataDir}: a file, no server of any kind, no trace file.
     * {@code WRITE_DELAY=0}: a commit is written to the file before it returns (H2's default writes it up to
     * 500 ms later from a background thread, so a {@code kill -9} lost what had been acknowledged). This survives
     * the process dying, not the machine losing power (no fsync per commit). Measured: p50 of a stored message
     * 0.06 ms before, 0.14 ms after (StoreDurabilityTest shows the loss without it).
     *
     * <p>{@code DB_CLOSE_ON_EXIT=FALSE}: H2 would otherwise close the database from its own shutdown hook, at the
     * same moment as the host's orderly stop, whose last writes (a turn left for the next start, a reply marked
     * delivered) then failed with "Database is already closed". The host closes the store last itself.
     *
     * <p>The system property {@value #BENCH_WRITE_DELAY} is for {@code bench/run message-path} only, to measure what
     * durable commits cost against H2's default ({@code -Dclaw4j.h2.writeDelay=500}); never set it for a real host.
     */
    static String url(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.resolve("claw4j") + ";TRACE_LEVEL_FILE=0;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY="
                + writeDelay();
    }

    /** Bench only: see {@link #url(Path)}. */
    static final String BENCH_WRITE_DELAY = "claw4j.h2.writeDelay";

    private static int writeDelay() {
        String bench = System.getProperty(BENCH_WRITE_DELAY);
        return bench == null || bench.isBlank() ? 0 : Integer.parseInt(bench.strip());
    }

    /** For tests: a private in-memory database. */
    public static Store inMemory(String name) {
        return new Store("jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1", "");
    }

    /** For the tables other parts of bot-core keep (access). */
    public javax.sql.DataSource dataSource() {
        return pool;
    }

    /** The JDBC helper every repository over this database shares (access, tasks, budgets, ...). */
    public Jdbc jdbc() {
        return jdbc;
    }

    public Chats chats() {
        return chats;
    }

    public Groups groups() {
        return groups;
    }

    public Messages messages() {
        return messages;
    }

    public Cursors cursors() {
        return cursors;
    }

    public Outbox outbox() {
        return outbox;
    }

    public Sessions sessions() {
        return sessions;
    }

    public AuditLog audit() {
        return audit;
    }

    public UsageLog usage() {
        return usage;
    }

    public Pauses pauses() {
        return pauses;
    }

    @Override
    public void close() {
        closePool.run();
    }
}
