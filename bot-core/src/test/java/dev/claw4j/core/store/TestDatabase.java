package dev.claw4j.core.store;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * The databases the store tests run on: H2 in memory, and the PostgreSQL test server that
 * {@code scripts/setup-postgres.sh} starts (each test a fresh schema there, dropped when the JVM ends).
 *
 * <p>The server's settings come from {@code CLAW4J_TEST_PG_URL}, {@code _USER} and {@code _PASSWORD} (exported by
 * {@code scripts/test}), else from the file the script writes ({@code /tmp/claw4j-postgres/test-db.properties}).
 * Without them the PostgreSQL variants are skipped, saying how to run them, and fail under {@code CI=true}: the test
 * command must never pass with half the suite unrun.
 */
public enum TestDatabase {
    H2,
    POSTGRESQL;

    private static final List<String> SCHEMAS = new ArrayList<>();

    /** A fresh, migrated, empty store on this database. */
    public Store open() {
        return switch (this) {
            case H2 -> Store.inMemory(UUID.randomUUID().toString());
            case POSTGRESQL -> Store.open(freshSchema(server()));
        };
    }

    /** The test server's settings (its default schema), or the test is skipped (failed under CI) saying why. */
    public static StoreLocation.Postgres server() {
        Optional<StoreLocation.Postgres> pg = settings();
        String how = "no PostgreSQL test server configured: run scripts/setup-postgres.sh (it starts one on "
                + "127.0.0.1:55432 and writes " + propertiesFile() + "), or set CLAW4J_TEST_PG_URL, "
                + "CLAW4J_TEST_PG_USER and CLAW4J_TEST_PG_PASSWORD";
        if (pg.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(how + " (CI=true: the PostgreSQL half of the store tests must run)");
            }
            Assumptions.abort(how);
        }
        return pg.get();
    }

    static Optional<StoreLocation.Postgres> settings() {
        String url = System.getenv("CLAW4J_TEST_PG_URL");
        if (url != null && !url.isBlank()) {
            return Optional.of(new StoreLocation.Postgres(url, System.getenv("CLAW4J_TEST_PG_USER"),
                    System.getenv("CLAW4J_TEST_PG_PASSWORD")));
        }
        Path file = propertiesFile();
        if (!Files.isReadable(file)) {
            return Optional.empty();
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file + "; re-run scripts/setup-postgres.sh", e);
        }
        return Optional.of(new StoreLocation.Postgres(p.getProperty("url"), p.getProperty("user"),
                p.getProperty("password")));
    }

    private static Path propertiesFile() {
        String dir = System.getenv("CLAW4J_PG_DIR");
        return Path.of(dir == null || dir.isBlank() ? "/tmp/claw4j-postgres" : dir, "test-db.properties");
    }

    /** A new schema on the server, and the server's settings with it as the only one on the search path. */
    public static StoreLocation.Postgres freshSchema(StoreLocation.Postgres server) {
        String schema = "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection c = DriverManager.getConnection(server.url(), server.user(), server.password());
             var s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            Assertions.fail("cannot create a schema on the PostgreSQL test server at " + server.printableUrl()
                    + " (" + e.getMessage() + "); is it running? scripts/setup-postgres.sh starts it", e);
        }
        dropAtExit(server, schema);
        String url = server.url() + (server.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        return new StoreLocation.Postgres(url, server.user(), server.password());
    }

    private static void dropAtExit(StoreLocation.Postgres server, String schema) {
        synchronized (SCHEMAS) {
            if (SCHEMAS.isEmpty()) {
                Runtime.getRuntime().addShutdownHook(new Thread(() -> dropAll(server), "drop-test-schemas"));
            }
            SCHEMAS.add(schema);
        }
    }

    private static void dropAll(StoreLocation.Postgres server) {
        try (Connection c = DriverManager.getConnection(server.url(), server.user(), server.password());
             var s = c.createStatement()) {
            synchronized (SCHEMAS) {
                for (String schema : SCHEMAS) {
                    s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                }
            }
        } catch (SQLException e) {
            // a leftover schema on a throw-away test server harms nothing
        }
    }
}
