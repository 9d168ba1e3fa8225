package dev.claw4j.core.task;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.sandbox.ExecResult;
import java.time.Duration;
import java.util.List;

/**
 * A task's check: a command run in a one-off sandbox built like the group's, before the model is called. Its own
 * stdout, parsed as JSON, decides: {@code {"wake": true|false, "data": …}}. Anything else is a failed run; nothing
 * is ever read out of other text.
 */
public sealed interface Check {
    Duration TIMEOUT = Duration.ofSeconds(30);
    int MAX_OUTPUT_BYTES = 1 << 20;
    ObjectMapper JSON = new ObjectMapper();

    /** Call the model; {@code data} (JSON text, possibly "null") goes to it with the prompt. */
    record Wake(String data) implements Check {}

    /** Nothing to do: the model is not called. */
    record Sleep() implements Check {}

    /** The check did not say: the run failed (and counts toward backoff and auto-pause). */
    record Failed(String why) implements Check {}

    /** Runs a command in a one-off sandbox of the group, with a time and an output cap. */
    @FunctionalInterface
    interface Runner {
        ExecResult run(String groupId, List<String> command, Duration timeout, int maxOutputBytes);
    }

    static List<String> command(String check) {
        return List.of("bash", "-c", check);
    }

    /** What the check's outcome means. */
    static Check decide(ExecResult r) {
        if (r.timedOut()) {
            return new Failed("the check ran longer than " + TIMEOUT.toSeconds() + " s and was stopped");
        }
        if (r.truncated()) {
            return new Failed("the check printed more than " + (MAX_OUTPUT_BYTES >> 20) + " MiB");
        }
        if (r.exit().exitCode() != 0) {
            return new Failed("the check exited with " + r.exit().exitCode()
                    + (r.stderr() == null || r.stderr().isBlank() ? "" : ": " + Tasks.shorten(r.stderr().strip(), 300)));
        }
        JsonNode root;
        try {
            root = JSON.readTree(r.stdout());
        } catch (JsonProcessingException e) {
            return new Failed("the check's output is not JSON; it must print {\"wake\": true|false, \"data\": ...}");
        }
        if (root == null || !root.isObject() || !root.path("wake").isBoolean()) {
            return new Failed("the check's output must be a JSON object with a boolean \"wake\", as in "
                    + "{\"wake\": true, \"data\": ...}");
        }
        return root.get("wake").booleanValue() ? new Wake(root.path("data").isMissingNode() ? "null"
                : root.get("data").toString()) : new Sleep();
    }
}
