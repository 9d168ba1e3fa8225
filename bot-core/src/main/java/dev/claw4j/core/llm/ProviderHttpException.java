package dev.claw4j.core.llm;

import dev.langchain4j.exception.HttpException;

import java.time.Duration;

/**
 * A non-2xx answer from the provider that keeps what LangChain4j's own {@link HttpException} drops:
 * the Retry-After hint. LangChain4j wraps it (e.g. in RateLimitException) as the cause, so
 * {@link LangChain4jModelClient} finds it in the cause chain.
 */
class ProviderHttpException extends HttpException {
    private final transient Duration retryAfter;

    ProviderHttpException(int statusCode, String body, Duration retryAfter) {
        super(statusCode, body);
        this.retryAfter = retryAfter;
    }

    /** The server's hint, or null when it sent none we could read. */
    Duration retryAfter() {
        return retryAfter;
    }
}
