package dev.claw4j.slack;

import java.net.URI;
import java.util.Locale;

/**
 * Settings of the Slack connector ({@code connectors.slack} in claw4j.yaml). Null or blank means "use the
 * default". Socket Mode needs no public URL, so it is the default; HTTP mode needs the signing secret.
 *
 * @param botToken      the bot token (xoxb-…), always needed
 * @param appToken      the app-level token (xapp-…) with connections:write, for Socket Mode
 * @param mode          socket (default) or http (Events API request URL)
 * @param signingSecret verifies every HTTP-mode request
 * @param port          HTTP mode's port (default 3000; 0 = any free port, for tests)
 * @param path          HTTP mode's request path (default /slack/events)
 * @param apiUrl        the Web API's base (default https://slack.com/api/; GovSlack and tests change it)
 * @param stickyThreads a thread where the bot was mentioned keeps reaching it without new mentions
 */
public record SlackSettings(String botToken, String appToken, Mode mode, String signingSecret, int port,
                            String path, String apiUrl, boolean stickyThreads) {
    public static final String DEFAULT_API_URL = "https://slack.com/api/";
    public static final int DEFAULT_PORT = 3000;
    public static final String DEFAULT_PATH = "/slack/events";

    public enum Mode {
        SOCKET, HTTP;

        /** "socket" or "http", any case; null means socket. */
        public static Mode parse(String value) {
            if (value == null || value.isBlank()) {
                return SOCKET;
            }
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "socket" -> SOCKET;
                case "http" -> HTTP;
                default -> throw new IllegalArgumentException(
                        "connectors.slack.mode must be 'socket' or 'http', got '" + value + "'");
            };
        }
    }

    public SlackSettings {
        mode = mode == null ? Mode.SOCKET : mode;
        botToken = blankToNull(botToken);
        appToken = blankToNull(appToken);
        signingSecret = blankToNull(signingSecret);
        path = blankToNull(path) == null ? DEFAULT_PATH : path.strip();
        apiUrl = blankToNull(apiUrl) == null ? DEFAULT_API_URL : apiUrl.strip();
        if (!apiUrl.endsWith("/")) {
            apiUrl = apiUrl + "/"; // the SDK appends the method name to this prefix
        }
        if (botToken == null) {
            throw new IllegalArgumentException("connectors.slack.botToken is required (the bot token, xoxb-…, from "
                    + "the Slack app's 'OAuth & Permissions' page)");
        }
        if (!botToken.startsWith("xoxb-")) {
            throw new IllegalArgumentException("connectors.slack.botToken must be a bot token starting with "
                    + "'xoxb-' (a user token xoxp- or an app token xapp- does not work here)");
        }
        if (mode == Mode.SOCKET) {
            if (appToken == null) {
                throw new IllegalArgumentException("connectors.slack.appToken is required in Socket Mode (an "
                        + "app-level token, xapp-…, with the connections:write scope; or set "
                        + "connectors.slack.mode: http)");
            }
            if (!appToken.startsWith("xapp-")) {
                throw new IllegalArgumentException("connectors.slack.appToken must be an app-level token starting "
                        + "with 'xapp-'");
            }
        } else {
            if (signingSecret == null) {
                throw new IllegalArgumentException("connectors.slack.signingSecret is required in HTTP mode (the "
                        + "'Signing Secret' on the Slack app's 'Basic Information' page)");
            }
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException(
                        "connectors.slack.port must be 0..65535 (0 = any free port), got " + port);
            }
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("connectors.slack.path must start with '/', got '" + path + "'");
            }
        }
        URI uri;
        try {
            uri = URI.create(apiUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connectors.slack.apiUrl is not a URL: '" + apiUrl + "'");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "connectors.slack.apiUrl must be an http(s) URL such as " + DEFAULT_API_URL + ", got '" + apiUrl + "'");
        }
    }

    /** Socket Mode against slack.com, sticky threads on. */
    public static SlackSettings socket(String botToken, String appToken) {
        return new SlackSettings(botToken, appToken, Mode.SOCKET, null, DEFAULT_PORT, DEFAULT_PATH, null, true);
    }

    /** HTTP Events API mode against slack.com, sticky threads on. */
    public static SlackSettings http(String botToken, String signingSecret, int port) {
        return new SlackSettings(botToken, null, Mode.HTTP, signingSecret, port, DEFAULT_PATH, null, true);
    }

    public SlackSettings withApiUrl(String url) {
        return new SlackSettings(botToken, appToken, mode, signingSecret, port, path, url, stickyThreads);
    }

    public SlackSettings withStickyThreads(boolean sticky) {
        return new SlackSettings(botToken, appToken, mode, signingSecret, port, path, apiUrl, sticky);
    }

    // Tokens end up in logs when a record is printed; never show them.
    @Override
    public String toString() {
        return "SlackSettings[mode=" + mode + ", botToken=" + mask(botToken) + ", appToken=" + mask(appToken)
                + ", signingSecret=" + mask(signingSecret) + ", port=" + port + ", path=" + path + ", apiUrl="
                + apiUrl + ", stickyThreads=" + stickyThreads + "]";
    }

    private static String mask(String secret) {
        return secret == null ? "null" : "***";
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
