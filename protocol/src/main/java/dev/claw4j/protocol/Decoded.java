package dev.claw4j.protocol;

/** The outcome of decoding one line: a message, or a typed error that says what was wrong. Never an exception. */
public sealed interface Decoded<M extends Message> {
    record Ok<M extends Message>(M message) implements Decoded<M> {}

    record Failed<M extends Message>(ProtocolError error) implements Decoded<M> {}
}
