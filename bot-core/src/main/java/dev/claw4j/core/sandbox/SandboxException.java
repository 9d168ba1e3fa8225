package dev.claw4j.core.sandbox;

/** A sandbox could not be started or used. The message says what to do about it. */
public class SandboxException extends RuntimeException {
    public SandboxException(String message) {
        super(message);
    }

    public SandboxException(String message, Throwable cause) {
        super(message, cause);
    }
}
