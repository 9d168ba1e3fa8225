package dev.claw4j.web;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Settings of the local web chat ({@code connectors.web} in claw4j.yaml). Null means "use the default";
 * port 0 asks the operating system for any free port (tests use it).
 *
 * @param allowedHosts extra names the page may be reached by (the {@code Host} a browser sends), for example
 *                     {@code chat.example.com} behind a reverse proxy; the loopback names are always allowed
 * @param dataDir      claw4j's data directory, where the per-install token is kept ({@value WebToken#FILE})
 */
public record WebSettings(String bind, int port, String botName, List<String> allowedHosts, Path dataDir) {
    public static final String DEFAULT_BIND = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final String DEFAULT_BOT_NAME = "claw";

    // The bot name ends up inside a regex and inside the page, so keep it to plain word characters.
    private static final Pattern BOT_NAME = Pattern.compile("[A-Za-z0-9_]{1,32}");
    // A Host header value: a DNS name or IPv4 address, or a bracketed IPv6 address, with an optional port.
    private static final Pattern HOST = Pattern.compile("([a-z0-9][a-z0-9.-]{0,252}|\\[[0-9a-f:.]{2,45}\\])(:[0-9]{1,5})?");

    public WebSettings {
        // Loopback by default: only the person at this machine should reach the page.
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
        allowedHosts = (allowedHosts == null ? List.<String>of() : allowedHosts).stream()
                .map(h -> h == null ? "" : h.strip().toLowerCase(Locale.ROOT))
                .toList();
        for (String host : allowedHosts) {
            if (!HOST.matcher(host).matches()) {
                throw new IllegalArgumentException("connectors.web.allowedHosts: '" + host + "' is not a host name;"
                        + " write the name a browser uses for the page, e.g. chat.example.com or chat.lan:8080"
                        + " (no scheme, no path)");
            }
        }
        Objects.requireNonNull(dataDir, "the web chat keeps its token in the data directory; dataDir is missing");
    }

    public WebSettings(String bind, int port, String botName, Path dataDir) {
        this(bind, port, botName, List.of(), dataDir);
    }

    public static WebSettings defaults(Path dataDir) {
        return new WebSettings(DEFAULT_BIND, DEFAULT_PORT, DEFAULT_BOT_NAME, List.of(), dataDir);
    }
}
