package dev.claw4j.telegram;

import dev.claw4j.core.connector.DeliveryException;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;

/**
 * What went wrong on one Bot API call, in the terms the connector decides on: Telegram's error code (0 when
 * Telegram gave none), the HTTP status of the answer (0 when no answer came: network failure, timeout), the
 * description, and Telegram's {@code retry_after} hint on 429. The message always says the cause.
 */
public final class ApiError extends Exception {
    /** Long causes (a parser quoting the body it choked on) are cut here; the start says what went wrong. */
    private static final int MAX_CAUSE = 300;

    private final int code;
    private final int httpStatus;
    private final Duration retryAfter;

    ApiError(String method, int code, int httpStatus, String description, Duration retryAfter) {
        // no cause kept: the library's exceptions can carry the request URL, and the URL carries the token
        super(method + ": " + (code == 0 ? "" : code + " ") + description);
        this.code = code;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
    }

    /**
     * Reads the library's exception (unwrapping the future's layers) into an ApiError. {@code httpStatus} is the
     * status of the answer as the HTTP client saw it, 0 when none came: the library keeps it to itself, and it
     * is what tells "Telegram refused" from "Telegram took it and we could not read the answer".
     */
    static ApiError of(String method, Throwable failure, String token, int httpStatus) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            // Telegram's own error: {"ok":false,"error_code":…,"description":…}. The library leaves the code at 0
            // for failures that are not Telegram's answer (a body it could not parse), so 0 is no code.
            if (t instanceof TelegramApiRequestException r && r.getApiResponse() != null) {
                int code = r.getErrorCode() != null && r.getErrorCode() != 0 ? r.getErrorCode() : httpStatus;
                Integer after = r.getParameters() == null ? null : r.getParameters().getRetryAfter();
                return new ApiError(method, code, httpStatus, redact(r.getApiResponse(), token),
                        after == null ? null : Duration.ofSeconds(Math.max(1, after)));
            }
        }
        String causes = redact(causes(failure), token);
        if (httpStatus == 0) {
            String what = anyIo(failure) ? "no answer from the Bot API" : "the call failed before an answer came";
            return new ApiError(method, 0, 0, what + " (" + causes + ")", null);
        }
        // An answer came but not in a form the library reads: a proxy's error page, or a result it cannot parse.
        String what = httpStatus >= 200 && httpStatus < 300
                ? "HTTP " + httpStatus + ", but the answer could not be read"
                : "HTTP " + httpStatus + " without a Bot API answer";
        return new ApiError(method, 0, httpStatus, what + " (" + causes + ")", null);
    }

    private static boolean anyIo(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    /** Every distinct message down the cause chain: "Unable to deserialize response: Cannot construct …". */
    static String causes(Throwable failure) {
        Set<String> parts = new LinkedHashSet<>();
        for (Throwable t = failure; t != null && parts.size() < 5; t = t.getCause()) {
            String m = t.getMessage();
            parts.add(m == null || m.isBlank() ? t.getClass().getSimpleName() : m.strip().replaceAll("\\s+", " "));
        }
        String all = String.join(": ", parts);
        return all.length() > MAX_CAUSE ? all.substring(0, MAX_CAUSE) + "…" : all;
    }

    /** Telegram's error_code; 0 when Telegram gave none. */
    public int code() {
        return code;
    }

    /** The HTTP status of the answer; 0 when no answer came. */
    public int httpStatus() {
        return httpStatus;
    }

    public Duration retryAfter() {
        return retryAfter;
    }

    /**
     * Telegram answered 2xx without an error: it took the request, and only its answer could not be read. For a
     * send this means delivered; sending again would post the message twice.
     */
    boolean accepted() {
        return code == 0 && httpStatus >= 200 && httpStatus < 300;
    }

    /** Telegram's code, or else the HTTP status (a proxy's 502 page has no Telegram code). */
    private int status() {
        return code != 0 ? code : httpStatus;
    }

    boolean isRateLimit() {
        return status() == 429;
    }

    /** Telegram refused our HTML: "Bad Request: can't parse entities: ...". */
    boolean isParseError() {
        String d = String.valueOf(getMessage()).toLowerCase(Locale.ROOT);
        return code == 400 && (d.contains("parse entities") || d.contains("can't parse") || d.contains("unsupported start tag"));
    }

    /** Worth trying again later: rate limits, server trouble, no answer at all. */
    boolean isTransient() {
        int s = status();
        return s == 0 || s == 429 || s >= 500;
    }

    /** Trying again cannot help: the bot was blocked or removed, the chat is gone, the request is bad. */
    boolean isPermanent() {
        int s = status();
        return s == 400 || s == 403 || s == 404;
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
