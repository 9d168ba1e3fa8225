package dev.claw4j.protocol;

/**
 * An error, in either direction. {@code id} repeats the request it answers, or is null.
 * {@code code} is one of the constants below; {@code message} says what happened and what to do.
 */
public record ProtocolError(String id, String code, String message) implements HostMessage, AgentMessage {
    public static final String BAD_LINE = "bad_line";
    public static final String LINE_TOO_LONG = "line_too_long";
    public static final String BAD_VERSION = "bad_version";
    public static final String UNKNOWN_TYPE = "unknown_type";
    public static final String NOT_ALLOWED = "not_allowed";
    public static final String MODEL_FAILED = "model_failed";
    public static final String BUDGET_EXCEEDED = "budget_exceeded";
    public static final String AGENT_FAILED = "agent_failed";
}
