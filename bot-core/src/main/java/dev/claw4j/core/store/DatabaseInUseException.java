package dev.claw4j.core.store;

/**
 * The database file is locked by another process: embedded H2 lets one process at a time open it, and claw4j
 * opens no server for a second one. A running host is reached through its admin endpoint instead.
 */
public final class DatabaseInUseException extends StoreException {
    public DatabaseInUseException(java.nio.file.Path file, Throwable cause) {
        super("the database " + file + " is in use by another process (a running claw4j?): only one process at "
                + "a time may open it; stop that process, or reach it through its admin endpoint");
        initCause(cause);
    }
}
