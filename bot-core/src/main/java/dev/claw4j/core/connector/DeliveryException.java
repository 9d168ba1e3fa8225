package dev.claw4j.core.connector;

import java.time.Duration;

/**
 * A reply could not be delivered now. {@code retryAfter} is the platform's own hint (429 Retry-After),
 * or null; {@code permanent} means retrying cannot help (chat deleted, bot removed).
 */
public class DeliveryException extends Exception {
    private final Duration retryAfter;
    private final boolean permanent;

    public DeliveryException(String message, Duration retryAfter, boolean permanent, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
        this.permanent = permanent;
    }

    public DeliveryException(String message) {
        this(message, null, false, null);
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    public boolean permanent() {
        return permanent;
    }
}
