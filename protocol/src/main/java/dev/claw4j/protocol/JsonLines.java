package dev.claw4j.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * The one codec of the host⇄agent protocol: one JSON object per line, {@code "v": 1}, a {@code "type"}.
 * Decoding never throws: whatever a sandbox writes becomes either a message or a {@link ProtocolError}.
 */
public final class JsonLines {
    public static final int VERSION = 1;
    /** No line, in either direction, may be longer than this (in UTF-8 bytes, without the newline). */
    public static final int MAX_LINE_BYTES = 1 << 20;

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();

    static {
        // Nesting is bounded so a hostile line cannot blow the decoder's stack.
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    private JsonLines() {}

    /** The message as one line of JSON, without the newline. */
    public static String encode(Message message) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("v", VERSION);
        node.put("type", message.type());
        node.setAll((ObjectNode) MAPPER.valueToTree(message));
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.type(), e);
        }
    }

    /** Decodes a line the agent wrote (for the host). */
    public static Decoded<AgentMessage> decodeFromAgent(String line) {
        return decode(line, MessageTypes.AGENT_TO_HOST, AgentMessage.class);
    }

    /** Decodes a line the host wrote (for the agent). */
    public static Decoded<HostMessage> decodeFromHost(String line) {
        return decode(line, MessageTypes.HOST_TO_AGENT, HostMessage.class);
    }

    private static <M extends Message> Decoded<M> decode(String line, Set<String> allowed, Class<M> direction) {
        if (line == null || line.isBlank()) {
            return failed(null, ProtocolError.BAD_LINE, "empty line: send one JSON object per line");
        }
        if (line.length() > MAX_LINE_BYTES / 3 && line.getBytes(StandardCharsets.UTF_8).length > MAX_LINE_BYTES) {
            return failed(null, ProtocolError.LINE_TOO_LONG, "line longer than " + MAX_LINE_BYTES + " bytes");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(line);
        } catch (JsonProcessingException | RuntimeException e) {
            return failed(null, ProtocolError.BAD_LINE, "not valid JSON: " + shorten(e.getMessage()));
        }
        if (node == null || !node.isObject()) {
            return failed(null, ProtocolError.BAD_LINE, "a line must be one JSON object");
        }
        String id = node.path("id").isTextual() ? node.get("id").asText() : null;
        JsonNode v = node.get("v");
        if (v == null || !v.isInt() || v.asInt() != VERSION) {
            return failed(id, ProtocolError.BAD_VERSION, "protocol version must be \"v\": " + VERSION + ", got " + v);
        }
        JsonNode typeNode = node.get("type");
        String type = typeNode != null && typeNode.isTextual() ? typeNode.asText() : null;
        Class<? extends Message> cls = type == null ? null : MessageTypes.BY_NAME.get(type);
        if (cls == null || !allowed.contains(type)) {
            return failed(id, ProtocolError.UNKNOWN_TYPE, "unknown message type " + shorten(String.valueOf(typeNode))
                    + "; known here: " + String.join(", ", allowed.stream().sorted().toList()));
        }
        ObjectNode fields = ((ObjectNode) node).deepCopy();
        fields.remove("v");
        fields.remove("type");
        Message message;
        try {
            message = MAPPER.treeToValue(fields, cls);
        } catch (JsonProcessingException | RuntimeException e) {
            return failed(id, ProtocolError.BAD_LINE, "bad fields for " + type + ": " + shorten(e.getMessage()));
        }
        if (MessageTypes.lacksRequiredId(message)) {
            return failed(null, ProtocolError.BAD_LINE, type + " needs a non-empty \"id\"");
        }
        return new Decoded.Ok<>(direction.cast(message));
    }

    private static <M extends Message> Decoded<M> failed(String id, String code, String text) {
        return new Decoded.Failed<>(new ProtocolError(id, code, text));
    }

    private static String shorten(String s) {
        if (s == null) {
            return "";
        }
        String firstLine = s.lines().findFirst().orElse("");
        return firstLine.length() > 200 ? firstLine.substring(0, 200) + "…" : firstLine;
    }
}
