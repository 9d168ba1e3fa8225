package dev.claw4j.core.llm;

import java.time.Duration;

/**
 * When {@link ModelGateway} tries a failed call again: up to {@code maxRetries} more times, waiting
 * {@code firstDelay}, then twice as long each time up to {@code maxDelay}. A server's Retry-After wins
 * over the schedule, but is capped at {@code maxRetryAfter} so one group's turn is not parked for an hour.
 */
public record RetryPolicy(int maxRetries, Duration firstDelay, Duration maxDelay, Duration maxRetryAfter) {

    public RetryPolicy {
        if (maxRetries < 0) {
            throw new IllegalArgumentException("maxRetries must not be negative");
        }
        if (firstDelay.isNegative() || maxDelay.compareTo(firstDelay) < 0 || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("delays must be 0 <= firstDelay <= maxDelay, maxRetryAfter >= 0");
        }
    }

    /** 1 s, 2 s, 4 s, … capped at 30 s; Retry-After honoured up to 60 s. */
    public static RetryPolicy withMaxRetries(int maxRetries) {
        return new RetryPolicy(maxRetries, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(60));
    }

    /**
     * How long to wait before retry number {@code retry} (1 for the first retry).
     *
     * @param retryAfter the server's hint, or null
     */
    public Duration delayBefore(int retry, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
        }
        Duration delay = firstDelay;
        for (int i = 1; i < retry && delay.compareTo(maxDelay) < 0; i++) {
            delay = delay.multipliedBy(2);
        }
        return delay.compareTo(maxDelay) > 0 ? maxDelay : delay;
    }

    /** Waits between attempts; tests pass one that records instead of sleeping. */
    @FunctionalInterface
    public interface Sleeper {
        Sleeper REAL = duration -> Thread.sleep(duration);

        void sleep(Duration duration) throws InterruptedException;
    }
}
