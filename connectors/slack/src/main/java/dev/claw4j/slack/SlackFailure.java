package dev.claw4j.slack;

import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import dev.claw4j.core.connector.DeliveryException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns what Slack answered into the outbox's terms: try again (when, if Slack said), or give up because
 * trying again cannot help. The messages say what to do, since they end up in the host log.
 */
final class SlackFailure {
    /** When Slack says 429 without a Retry-After (it always sends one, but a proxy may drop it). */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(30);

    // Errors that will be the same on every retry of this message.
    private static final Set<String> PERMANENT = Set.of("channel_not_found", "not_in_channel", "is_archived",
            "msg_too_long", "no_text", "restricted_action", "restricted_action_read_only_channel",
            "restricted_action_thread_only_channel", "restricted_action_non_threadable_channel",
            "cannot_reply_to_message", "invalid_blocks", "too_many_attachments", "channel_is_archived",
            "team_access_not_granted", "ekm_access_denied", "file_not_found", "invalid_thread_ts");

    private static final Map<String, String> ADVICE = Map.of(
            "not_in_channel", " (invite the app to the channel: /invite @your-app)",
            "channel_not_found", " (the channel is gone or the app cannot see it)",
            "invalid_auth", " (the bot token was refused; check connectors.slack.botToken)",
            "token_revoked", " (the bot token was revoked; reinstall the app and update connectors.slack.botToken)",
            "missing_scope", " (add the missing scope in the app's 'OAuth & Permissions' and reinstall it)");

    private SlackFailure() {}

    /** An answer with ok=false. */
    static DeliveryException of(String what, SlackApiTextResponse response) {
        String error = response.getError();
        if ("ratelimited".equals(error)) {
            return new DeliveryException("slack: " + what + " was rate limited (ratelimited)",
                    retryAfter(response.getHttpResponseHeaders()), false, null);
        }
        return of(what, error, 0);
    }

    /** Slack's refusal {@code error}, from an answer with HTTP {@code status} (0: a normal 200). */
    static DeliveryException of(String what, String error, int status) {
        if ("ratelimited".equals(error)) {
            return new DeliveryException("slack: " + what + " was rate limited (ratelimited)", DEFAULT_RETRY_AFTER,
                    false, null);
        }
        return new DeliveryException("slack: " + what + " failed: " + error + (status == 0 || status == 200 ? ""
                : " (HTTP " + status + ")") + ADVICE.getOrDefault(error, ""), null, PERMANENT.contains(error), null);
    }

    /** A non-2xx HTTP answer: 429 carries Retry-After; 5xx is Slack having trouble. */
    static DeliveryException of(String what, SlackApiException e) {
        int status = e.getResponse().code();
        if (status == 429) {
            String header = e.getResponse().header("Retry-After");
            return new DeliveryException("slack: " + what + " was rate limited (HTTP 429)", seconds(header), false, e);
        }
        String error = e.getError() != null ? e.getError().getError() : null;
        boolean permanent = error != null && PERMANENT.contains(error);
        // without Slack's error code, what came instead (a proxy's page) is the cause
        String detail = error != null ? error : snippet(e.getResponseBody());
        return new DeliveryException("slack: " + what + " failed with HTTP " + status + (detail.isEmpty() ? ""
                : " (" + detail + ")"), null, permanent, e);
    }

    static DeliveryException of(String what, IOException e) {
        String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
        return new DeliveryException("slack: " + what + " could not reach Slack: " + why, null, false, e);
    }

    /** The start of a body, on one line. */
    private static String snippet(String body) {
        if (body == null) {
            return "";
        }
        String line = body.strip().replaceAll("\\s+", " ");
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }

    private static Duration retryAfter(Map<String, List<String>> headers) {
        if (headers == null) {
            return DEFAULT_RETRY_AFTER;
        }
        List<String> values = headers.get("retry-after");
        return seconds(values == null || values.isEmpty() ? null : values.getFirst());
    }

    static Duration seconds(String header) {
        if (header == null) {
            return DEFAULT_RETRY_AFTER;
        }
        try {
            long s = Long.parseLong(header.strip());
            return Duration.ofSeconds(Math.max(1, s));
        } catch (NumberFormatException e) {
            return DEFAULT_RETRY_AFTER;
        }
    }
}
