package dev.claw4j.core.store;

/** The database failed. The message says what was being done. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause);
    }

    /** A message that says it all, without the cause's. */
    protected StoreException(String message) {
        super(message);
    }
}
