package dev.claw4j.web;

import java.util.regex.Pattern;

/**
 * Settings of the local web chat ({@code connectors.web} in claw4j.yaml). Null means "use the default";
 * port 0 asks the operating system for any free port (tests use it).
 */
public record WebSettings(String bind, int port, String botName) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_BOT_NAME = "claw";

    // The bot name ends up inside a regex and inside the page, so keep it to plain word characters.
    private static final Pattern BOT_NAME = Pattern.compile("[A-Za-z0-9_]{1,32}");

    public WebSettings {
        // Loopback by default: the web chat has no login, so it must not be reachable from the network unasked.
        bind = bind == null || bind.isBlank() ? DEFAULT_BIND : bind.strip();
        botName = botName == null || botName.isBlank() ? DEFAULT_BOT_NAME : botName.strip();
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("connectors.web.port must be 0..65535 (0 = any free port), got " + port);
        }
        if (!BOT_NAME.matcher(botName).matches()) {
            throw new IllegalArgumentException(
                    "web chat bot name must be 1-32 letters, digits or '_' (it is @mentioned in group rooms), got '"
                            + botName + "'");
        }
    }

    public static WebSettings defaults() {
        return new WebSettings(DEFAULT_BIND, DEFAULT_PORT, DEFAULT_BOT_NAME);
    }
}
