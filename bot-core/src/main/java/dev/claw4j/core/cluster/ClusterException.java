package dev.claw4j.core.cluster;

/** The database failed while this host kept its leases or heartbeat. The message says what was being done. */
public final class ClusterException extends RuntimeException {
    public ClusterException(String message, Throwable cause) {
        super(message, cause);
    }
}
