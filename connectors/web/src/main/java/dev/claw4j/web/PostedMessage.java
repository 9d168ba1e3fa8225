package dev.claw4j.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /api/chats/{chat}/messages}, validated. {@code id} is the client's own message id
 * (null when it sent none): a client that retries with the same id is deduplicated by the host.
 */
record PostedMessage(String user, String text, String id) {
    static final int MAX_USER = 64;
    static final int MAX_TEXT = 16_000;
    static final int MAX_ID = 128;

    private static final Pattern CHAT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");
    private static final String EXAMPLE = "send a JSON body like {\"user\": \"ana\", \"text\": \"hello @claw\"}";

    static String checkChat(String chat) {
        if (chat == null || !CHAT.matcher(chat).matches()) {
            throw new BadRequest("chat name must be 1-64 letters, digits, '_' or '-' and start with a letter or digit"
                    + " (for example 'general' or 'dm-ana')");
        }
        return chat;
    }

    static PostedMessage parse(String body, ObjectMapper json) {
        JsonNode root;
        try {
            root = body == null || body.isBlank() ? null : json.readTree(body);
        } catch (JsonProcessingException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw new BadRequest("the body is not a JSON object; " + EXAMPLE);
        }
        String user = string(root, "user");
        String text = string(root, "text");
        String id = string(root, "id");
        if (user == null || user.isBlank() || user.length() > MAX_USER) {
            throw new BadRequest("'user' must be a string of 1-" + MAX_USER + " characters; " + EXAMPLE);
        }
        if (text == null || text.isBlank()) {
            throw new BadRequest("'text' is missing or empty; " + EXAMPLE);
        }
        if (text.length() > MAX_TEXT) {
            throw new BadRequest("'text' is " + text.length() + " characters, the limit is " + MAX_TEXT
                    + "; split it into several messages");
        }
        if (root.has("id") && (id == null || id.isBlank() || id.length() > MAX_ID)) {
            throw new BadRequest("'id' is optional, but when sent it must be a string of 1-" + MAX_ID
                    + " characters that is unique per message (reuse it only to retry the same message)");
        }
        return new PostedMessage(user.strip(), text, id);
    }

    /** The field's value when it is a JSON string; null when absent or of another type. */
    private static String string(JsonNode root, String field) {
        JsonNode node = root.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }
}
