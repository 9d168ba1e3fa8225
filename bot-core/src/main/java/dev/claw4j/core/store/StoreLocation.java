package dev.claw4j.core.store;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Where the store lives: the embedded H2 file under the data directory (the default: nothing to install), or a
 * PostgreSQL server, which several hosts can share. The same migrations and the same SQL run on both.
 */
public sealed interface StoreLocation {

    /** Which SQL the database speaks, where the two differ (one small place: {@link Dialect}). */
    Dialect dialect();

    /** {@code dataDir/claw4j.mv.db}, opened by this process alone. */
    record H2File(Path dataDir) implements StoreLocation {
        @Override
        public Dialect dialect() {
            return Dialect.H2;
        }
    }

    /**
     * A PostgreSQL database at {@code url} ({@code jdbc:postgresql://host:port/database}). The password is never
     * printed: {@link #toString()} says only whether there is one.
     */
    record Postgres(String url, String user, String password) implements StoreLocation {
        public Postgres {
            if (url == null || url.isBlank()) {
                throw new IllegalArgumentException("store.url is missing: with store.kind postgres, set it to "
                        + "jdbc:postgresql://HOST:5432/DATABASE");
            }
            url = url.strip();
            if (!url.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("store.url must start with jdbc:postgresql:// (like "
                        + "jdbc:postgresql://HOST:5432/DATABASE), got " + printable(url));
            }
            if (url.toLowerCase(Locale.ROOT).contains("password=")) {
                throw new IllegalArgumentException("store.url carries a password; take it out of the URL and give it "
                        + "as store.password: ${SOME_ENV_VAR}, so it is never printed with the URL");
            }
            if (user == null || user.isBlank()) {
                throw new IllegalArgumentException("store.user is missing: with store.kind postgres, name the "
                        + "database role claw4j logs in as");
            }
            password = password == null ? "" : password;
        }

        @Override
        public Dialect dialect() {
            return Dialect.POSTGRESQL;
        }

        /** The URL without its query (where drivers take options that may hold secrets). */
        public String printableUrl() {
            return printable(url);
        }

        private static String printable(String url) {
            int q = url.indexOf('?');
            return q < 0 ? url : url.substring(0, q) + "?…";
        }

        @Override
        public String toString() {
            return "Postgres[url=" + printableUrl() + ", user=" + user + ", password="
                    + (password.isEmpty() ? "(none)" : "(set)") + "]";
        }
    }
}
