package dev.claw4j.slack;

/**
 * An event whose message is not (yet) in the host's store, thrown out of the Bolt handler so the event is not
 * acked: Bolt would turn a non-200 answer of a handler into its own auto-ack, but lets an exception through
 * (HTTP mode answers {@link #status()}; Socket Mode sends no ack). Slack then delivers the event again.
 */
final class NotStored extends RuntimeException {
    private final int status;

    NotStored(int status, String message, Throwable cause) {
        super(message, cause, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    /** The NotStored somewhere down {@code e}'s causes, or null. */
    static NotStored in(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof NotStored n) {
                return n;
            }
        }
        return null;
    }
}
