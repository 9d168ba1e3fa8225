package dev.claw4j.core.llm;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A failed model call. {@code retryable} says whether the same request may succeed later (429, 5xx,
 * timeouts, connection errors) or never will (400, 401, 403, an answer we cannot read).
 * The message never contains the API key.
 */
public class ModelException extends Exception {

    /** What kind of failure, for the message a person reads in chat. */
    public enum Kind { RATE_LIMITED, SERVER_ERROR, UNREACHABLE, TIMEOUT, AUTH, BAD_REQUEST, BAD_ANSWER, INTERRUPTED, OTHER }

    private final Kind kind;
    private final boolean retryable;
    private final Integer httpStatus;
    private final Duration retryAfter;

    public ModelException(Kind kind, boolean retryable, Integer httpStatus, Duration retryAfter, String message,
                          Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.retryable = retryable;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    public boolean retryable() {
        return retryable;
    }

    public OptionalInt httpStatus() {
        return httpStatus == null ? OptionalInt.empty() : OptionalInt.of(httpStatus);
    }

    /** The server's Retry-After hint, when it sent one. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
