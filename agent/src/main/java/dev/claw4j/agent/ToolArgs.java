package dev.claw4j.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/**
 * The arguments of one tool call, as the model wrote them (a JSON object). Every accessor that can fail
 * says which argument was wrong and what was expected, so the model can correct its call.
 */
final class ToolArgs {
    private final JsonNode node;

    private ToolArgs(JsonNode node) {
        this.node = node;
    }

    static ToolArgs parse(String toolName, String json) throws ToolException {
        if (json == null || json.isBlank()) {
            return new ToolArgs(Json.MAPPER.createObjectNode());
        }
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ToolException("the arguments for " + toolName + " are not valid JSON ("
                    + Text.shorten(e.getOriginalMessage(), 200) + "); send one JSON object, e.g. {\"path\": \"notes.md\"}");
        }
        if (!(node instanceof ObjectNode)) {
            throw new ToolException("the arguments for " + toolName + " must be a JSON object, got: "
                    + Text.shorten(json, 100));
        }
        return new ToolArgs(node);
    }

    /** The arguments as the model wrote them, for a tool that passes them on (an MCP tool). */
    JsonNode node() {
        return node;
    }

    /** A required string argument. */
    String string(String name) throws ToolException {
        return optionalString(name).orElseThrow(
                () -> new ToolException("missing argument \"" + name + "\" (a string)"));
    }

    Optional<String> optionalString(String name) throws ToolException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw new ToolException("argument \"" + name + "\" must be a string, got " + Text.shorten(value.toString(), 60));
        }
        return Optional.of(value.asText());
    }

    /** An optional whole number; a number written as a string ("5000") is accepted too. */
    Optional<Long> optionalLong(String name) throws ToolException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return Optional.empty();
        }
        if (value.isIntegralNumber() && value.canConvertToLong()) {
            return Optional.of(value.asLong());
        }
        if (value.isTextual() && value.asText().strip().matches("-?\\d{1,18}")) {
            return Optional.of(Long.parseLong(value.asText().strip()));
        }
        throw new ToolException("argument \"" + name + "\" must be a whole number, got " + Text.shorten(value.toString(), 60));
    }

    boolean flag(String name, boolean defaultValue) throws ToolException {
        JsonNode value = node.get(name);
        if (value == null || value.isNull()) {
            return defaultValue;
        }
        if (value.isBoolean()) {
            return value.asBoolean();
        }
        if (value.isTextual() && value.asText().matches("(?i)true|false")) {
            return Boolean.parseBoolean(value.asText());
        }
        throw new ToolException("argument \"" + name + "\" must be true or false, got " + Text.shorten(value.toString(), 60));
    }

    /** The argument as plain text, or "" when absent; for event details, which must never fail. */
    String text(String name) {
        JsonNode value = node.get(name);
        return value == null || value.isNull() ? "" : value.isTextual() ? value.asText() : value.toString();
    }
}
