package dev.claw4j.agent;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/**
 * The agent's log. It goes to stderr only, because stdout carries nothing but protocol lines; the
 * host keeps stderr as the sandbox's log. No logging library: the agent depends on protocol alone.
 */
final class Log {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    private Log() {}

    static void info(String message) {
        write("INFO", message);
    }

    static void warn(String message) {
        write("WARN", message);
    }

    static void error(String message, Throwable cause) {
        write("ERROR", message);
        cause.printStackTrace(System.err);
    }

    private static void write(String level, String message) {
        System.err.println(LocalTime.now().format(TIME) + " " + level + " agent: " + message);
    }
}
