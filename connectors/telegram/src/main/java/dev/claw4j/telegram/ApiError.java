package dev.claw4j.telegram;

import dev.claw4j.core.connector.DeliveryException;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;

/**
 * What went wrong on one Bot API call, in the terms the connector decides on: Telegram's error code (0 when
 * there was no usable answer: network failure, timeout, a proxy's HTML page), its description, and its
 * {@code retry_after} hint on 429.
 */
public final class ApiError extends Exception {
    private final int code;
    private final Duration retryAfter;

    ApiError(String method, int code, String description, Duration retryAfter, Throwable cause) {
        super(method + ": " + (code == 0 ? "" : code + " ") + description, cause);
        this.code = code;
        this.retryAfter = retryAfter;
    }

    /** Reads the library's exception (unwrapping the future's layers) into an ApiError. */
    static ApiError of(String method, Throwable failure, String token) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TelegramApiRequestException r && r.getErrorCode() != null) {
                Integer after = r.getParameters() == null ? null : r.getParameters().getRetryAfter();
                return new ApiError(method, r.getErrorCode(), redact(r.getApiResponse(), token),
                        after == null ? null : Duration.ofSeconds(Math.max(1, after)), null);
            }
            if (t instanceof IOException io) {
                return new ApiError(method, 0, "no answer from the Bot API (" + redact(io.toString(), token) + ")",
                        null, null);
            }
        }
        String what = failure instanceof TelegramApiException ? failure.getMessage() : failure.toString();
        return new ApiError(method, 0, "unusable answer (" + redact(what, token) + ")", null, null);
    }

    public int code() {
        return code;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    boolean isRateLimit() {
        return code == 429;
    }

    /** Telegram refused our HTML: "Bad Request: can't parse entities: ...". */
    boolean isParseError() {
        String d = String.valueOf(getMessage()).toLowerCase(Locale.ROOT);
        return code == 400 && (d.contains("parse entities") || d.contains("can't parse") || d.contains("unsupported start tag"));
    }

    /** Worth trying again later: rate limits, server trouble, no answer at all. */
    boolean isTransient() {
        return code == 0 || code == 429 || code >= 500;
    }

    /** Trying again cannot help: the bot was blocked or removed, the chat is gone, the request is bad. */
    boolean isPermanent() {
        return code == 400 || code == 403 || code == 404;
    }

    DeliveryException toDelivery() {
        return new DeliveryException("telegram: " + getMessage(), retryAfter, isPermanent(), this);
    }

    /** OkHttp messages can carry the URL, and the URL carries the token: never let it reach a log. */
    static String redact(String text, String token) {
        if (text == null) {
            return "";
        }
        return token == null || token.isEmpty() ? text : text.replace(token, "<token>");
    }
}
