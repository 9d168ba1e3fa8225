package dev.claw4j.protocol;

/**
 * One line of the host⇄agent protocol. Every message travels as one JSON object per line with
 * {@code "v": 1} and a {@code "type"}; {@link JsonLines} is the only place that knows the wire form.
 */
public sealed interface Message permits HostMessage, AgentMessage {
    /** The wire name, for example {@code turn.start}. */
    default String type() {
        return MessageTypes.typeOf(getClass());
    }
}
