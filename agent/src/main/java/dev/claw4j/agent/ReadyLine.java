package dev.claw4j.agent;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;

/**
 * The {@code ready} line, written without Jackson. The host measures start-up by this line, and building
 * Jackson's serializers for the first record costs a cold JVM about 0.4 s, several times the JVM's own
 * start; so this one fixed-shape line is spelled out here. A test checks that the protocol's decoder reads
 * it back as the same message and that it equals what {@link JsonLines#encode} writes.
 */
final class ReadyLine {
    private ReadyLine() {}

    static String encode(AgentMessage.Ready ready) {
        StringBuilder line = new StringBuilder("{\"v\":").append(JsonLines.VERSION)
                .append(",\"type\":\"ready\",\"agentVersion\":");
        quote(ready.agentVersion(), line);
        line.append(",\"tools\":[");
        for (int i = 0; i < ready.tools().size(); i++) {
            if (i > 0) {
                line.append(',');
            }
            quote(ready.tools().get(i), line);
        }
        return line.append("]}").toString();
    }

    /** A JSON string literal: quotes, backslashes and control characters escaped. */
    private static void quote(String text, StringBuilder out) {
        if (text == null) {
            out.append("null");
            return;
        }
        out.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        out.append('"');
    }
}
