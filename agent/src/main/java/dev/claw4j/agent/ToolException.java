package dev.claw4j.agent;

/** A tool call that could not be done as asked. The message goes to the model, so it says what to do instead. */
final class ToolException extends Exception {
    ToolException(String message) {
        super(message);
    }
}
