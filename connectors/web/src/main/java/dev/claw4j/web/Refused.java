package dev.claw4j.web;

/** A request the web chat refuses before any handler sees it; the message says what was refused and what to do. */
final class Refused extends RuntimeException {
    private final int status;

    Refused(int status, String message) {
        super(message, null, false, false); // no stack trace: a refusal is expected, not a failure of ours
        this.status = status;
    }

    int status() {
        return status;
    }
}
