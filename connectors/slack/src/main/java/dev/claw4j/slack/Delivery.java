package dev.claw4j.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import dev.claw4j.core.connector.DeliveryException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Web API call that makes something appear in a chat (a message, a shared file), judged the way Slack
 * means it: {@code ok: false} with an error is a refusal; any other 2xx is delivered, even when the SDK cannot
 * read the answer, since calling again would post it twice.
 */
final class Delivery {
    private static final Logger log = LoggerFactory.getLogger(Delivery.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The SDK call. */
    interface Call {
        SlackApiTextResponse run() throws IOException, SlackApiException;
    }

    private Delivery() {}

    /**
     * Returns when Slack took it: Slack's answer, or null when it could not be read; throws when Slack did not
     * take it (or we cannot tell that it did).
     */
    static SlackApiTextResponse once(String what, AnswerStatus answers, Call call) throws DeliveryException {
        answers.clear();
        SlackApiTextResponse response;
        try {
            response = call.run();
        } catch (SlackApiException e) {
            throw SlackFailure.of(what, e);
        } catch (IOException e) {
            throw SlackFailure.of(what, e);
        } catch (RuntimeException e) {
            AnswerStatus.Answer answer = answers.last();
            if (!answers.accepted()) {
                throw new DeliveryException("slack: " + what + " failed before Slack answered: " + e, null, false, e);
            }
            String error = refusal(answer.body());
            if (error != null) { // the SDK choked on another field of a refusal: still a refusal
                throw SlackFailure.of(what, error, answer.status());
            }
            log.warn("slack: {} was accepted (HTTP {}) but the answer could not be read ({}); counting it as "
                    + "delivered, its message id is unknown", what, answer.status(),
                    e.toString().replaceAll("\\s+", " "));
            return null;
        }
        if (response.isOk()) {
            return response;
        }
        if (response.getError() == null) {
            // a 2xx that is not Slack's refusal (no "ok", no "error"): what Slack took stays taken
            log.warn("slack: {} was answered 2xx without ok or error; counting it as delivered", what);
            return response;
        }
        throw SlackFailure.of(what, response);
    }

    /** The error of an {@code {"ok": false, "error": …}} body, or null when the body is not that. */
    private static String refusal(String body) {
        try {
            JsonNode tree = body == null ? null : JSON.readTree(body);
            if (tree != null && tree.path("ok").isBoolean() && !tree.path("ok").asBoolean()) {
                return tree.path("error").asText("unknown_error");
            }
        } catch (IOException | RuntimeException e) {
            // not JSON at all: not a refusal
        }
        return null;
    }
}
