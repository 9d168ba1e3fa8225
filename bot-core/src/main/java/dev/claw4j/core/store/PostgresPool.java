package dev.claw4j.core.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;

/**
 * The connection pool for a PostgreSQL store. It opens one connection at once, so a server that is down or refuses
 * the login stops the start with a message that says what to do, instead of the first message failing later.
 */
final class PostgresPool {
    private static final int MAX_CONNECTIONS = 16;

    private PostgresPool() {}

    static HikariDataSource open(StoreLocation.Postgres location) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("claw4j-store");
        config.setJdbcUrl(location.url());
        config.setUsername(location.user());
        config.setPassword(location.password());
        config.setMaximumPoolSize(MAX_CONNECTIONS);
        config.setMinimumIdle(2); // more only when busy: several hosts share the server's max_connections
        config.setConnectionTimeout(10_000);
        config.setInitializationFailTimeout(1); // try one connection now and fail at once if it is refused
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw refused(location, e, "connecting");
        }
    }

    /** Why the server refused us, and what to do next, by SQLSTATE (the driver's messages vary by locale). */
    static StoreException refused(StoreLocation.Postgres location, Throwable failure, String doing) {
        SQLException sql = null;
        for (Throwable t = failure; t != null && sql == null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                sql = s;
            }
        }
        String where = "PostgreSQL at " + location.printableUrl();
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        String advice = switch (state) {
            case "28P01", "28000" -> where + " refused the login of role '" + location.user() + "' (wrong password, "
                    + "no such role, or pg_hba.conf does not let it in): check store.user and store.password (and the "
                    + "environment variable it names), or create the role: CREATE ROLE " + location.user()
                    + " LOGIN PASSWORD '...'";
            case "3D000" -> where + " has no such database: create it (CREATE DATABASE name OWNER " + location.user()
                    + ") or fix the database name in store.url";
            case "42501" -> where + ": role '" + location.user() + "' may not create claw4j's tables: make it the "
                    + "owner of the database, or GRANT CREATE ON SCHEMA public TO " + location.user();
            case "53300" -> where + " has no free connection slot (too many clients): raise max_connections or "
                    + "lower the other clients' pools";
            default -> state.startsWith("08") || (sql == null && doing.equals("connecting"))
                    ? "cannot reach " + where + ": check that the server runs and that store.url names its host and "
                    + "port (for a local test server: scripts/setup-postgres.sh)"
                    : where + ": " + doing + " failed" + (state.isEmpty() ? "" : " (SQLSTATE " + state + ")");
        };
        return new StoreException(advice, failure);
    }
}
