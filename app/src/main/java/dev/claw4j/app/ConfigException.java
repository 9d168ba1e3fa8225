package dev.claw4j.app;

/** A config problem; the message names the key and what to write instead. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
