package dev.claw4j.web;

/** A request the API refuses with 400; the message says what is wrong and what to send instead. */
final class BadRequest extends RuntimeException {
    BadRequest(String message) {
        super(message, null, false, false); // no stack trace: this is the client's mistake, not ours
    }
}
