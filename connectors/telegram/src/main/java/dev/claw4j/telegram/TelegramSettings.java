package dev.claw4j.telegram;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Settings of the Telegram connector ({@code connectors.telegram} in claw4j.yaml). Null means "use the
 * default". Every validation message names the config key to fix.
 *
 * @param token         the bot token from BotFather ({@code connectors.telegram.token}, normally ${TELEGRAM_BOT_TOKEN})
 * @param apiUrl        the Bot API server, scheme://host[:port] without a path; a self-hosted server or a test fake
 * @param mode          how updates arrive: long polling (default) or a webhook Telegram calls
 * @param webhookUrl    the public https URL Telegram posts updates to (webhook mode)
 * @param webhookSecret the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token (webhook mode)
 * @param webhookBind   the address the webhook listener binds to; loopback by default, behind a TLS reverse proxy
 * @param webhookPort   the port of the webhook listener; 0 = any free port (tests)
 * @param webhookPath   the path the webhook listener answers on
 * @param stateDir      where earlier versions kept the last processed update id (now in the host's store; read once)
 * @param botName       the bot's @username; normally learnt from getMe, set it only to override
 * @param pollTimeout   how long one getUpdates call waits for news (Telegram allows up to 50 s)
 */
public record TelegramSettings(String token, String apiUrl, Mode mode, String webhookUrl, String webhookSecret,
                               String webhookBind, int webhookPort, String webhookPath, Path stateDir, String botName,
                               Duration pollTimeout) {
    public static final String DEFAULT_API_URL = "https://api.telegram.org";
    public static final String DEFAULT_WEBHOOK_BIND = "127.0.0.1";
    public static final int DEFAULT_WEBHOOK_PORT = 8443;
    public static final String DEFAULT_WEBHOOK_PATH = "/telegram/webhook";
    public static final Path DEFAULT_STATE_DIR = Path.of("data", "telegram");
    public static final Duration DEFAULT_POLL_TIMEOUT = Duration.ofSeconds(50);

    // BotFather tokens look like 123456789:AA...; checking the shape catches a pasted placeholder early.
    private static final Pattern TOKEN = Pattern.compile("\\d{1,20}:[A-Za-z0-9_-]{20,100}");
    // Telegram's own rule for secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
    static final int MAX_SECRET = 256;
    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_SECRET + "}");
    // Anyone who can reach the webhook port may guess at the secret; 16 random characters put that out of reach.
    static final int MIN_SECRET = 16;
    private static final String MAKE_SECRET = "make one with 'openssl rand -hex 32' and set it as "
            + "TELEGRAM_WEBHOOK_SECRET";
    private static final Pattern BOT_NAME = Pattern.compile("[A-Za-z0-9_]{3,64}");

    public enum Mode {
        POLLING, WEBHOOK;

        /** {@code polling} or {@code webhook}, as written in the config file. */
        public static Mode parse(String value) {
            if (value == null || value.isBlank()) {
                return POLLING;
            }
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "polling" -> POLLING;
                case "webhook" -> WEBHOOK;
                default -> throw new IllegalArgumentException(
                        "connectors.telegram.mode must be 'polling' or 'webhook', got '" + value + "'");
            };
        }
    }

    public TelegramSettings {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException(
                    "connectors.telegram.token is missing; create a bot with @BotFather and set TELEGRAM_BOT_TOKEN");
        }
        token = token.strip();
        if (!TOKEN.matcher(token).matches()) {
            // never echo the token itself: it is a credential
            throw new IllegalArgumentException("connectors.telegram.token does not look like a bot token from "
                    + "@BotFather (digits, ':' and 20+ letters, digits, '_' or '-')");
        }
        apiUrl = apiUrl == null || apiUrl.isBlank() ? DEFAULT_API_URL : stripSlash(apiUrl.strip());
        checkApiUrl(apiUrl);
        mode = mode == null ? Mode.POLLING : mode;
        webhookBind = webhookBind == null || webhookBind.isBlank() ? DEFAULT_WEBHOOK_BIND : webhookBind.strip();
        webhookPath = webhookPath == null || webhookPath.isBlank() ? DEFAULT_WEBHOOK_PATH : webhookPath.strip();
        if (!webhookPath.startsWith("/")) {
            throw new IllegalArgumentException("connectors.telegram.webhookPath must start with '/', got '"
                    + webhookPath + "'");
        }
        if (webhookPort < 0 || webhookPort > 65535) {
            throw new IllegalArgumentException(
                    "connectors.telegram.webhookPort must be 0..65535 (0 = any free port), got " + webhookPort);
        }
        stateDir = stateDir == null ? DEFAULT_STATE_DIR : stateDir;
        botName = botName == null || botName.isBlank() ? null : botName.strip().replaceFirst("^@", "");
        if (botName != null && !BOT_NAME.matcher(botName).matches()) {
            throw new IllegalArgumentException("connectors.telegram.botName must be the bot's @username "
                    + "(letters, digits, '_'), got '" + botName + "'");
        }
        pollTimeout = pollTimeout == null ? DEFAULT_POLL_TIMEOUT : pollTimeout;
        if (pollTimeout.isNegative() || pollTimeout.compareTo(Duration.ofSeconds(50)) > 0) {
            throw new IllegalArgumentException("connectors.telegram.pollTimeout must be 0s..50s, got " + pollTimeout);
        }
        if (mode == Mode.WEBHOOK) {
            checkWebhook(webhookUrl, webhookSecret);
        }
    }

    /** Polling against the given API server, state under {@code stateDir}, everything else default. */
    public static TelegramSettings polling(String token, String apiUrl, Path stateDir) {
        return new TelegramSettings(token, apiUrl, Mode.POLLING, null, null, null, DEFAULT_WEBHOOK_PORT, null,
                stateDir, null, null);
    }

    /** Same settings with another long-poll timeout (tests use short ones). */
    public TelegramSettings withPollTimeout(Duration timeout) {
        return new TelegramSettings(token, apiUrl, mode, webhookUrl, webhookSecret, webhookBind, webhookPort,
                webhookPath, stateDir, botName, timeout);
    }

    private static void checkApiUrl(String apiUrl) {
        URI uri;
        try {
            uri = URI.create(apiUrl);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connectors.telegram.apiUrl is not a URL: '" + apiUrl + "'");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException(
                    "connectors.telegram.apiUrl must be http(s)://host[:port], got '" + apiUrl + "'");
        }
        // the client library builds /bot<token>/<method> on scheme, host and port only
        if (uri.getRawPath() != null && !uri.getRawPath().isEmpty()) {
            throw new IllegalArgumentException("connectors.telegram.apiUrl must not have a path (the client adds "
                    + "/bot<token>/<method>), got '" + apiUrl + "'");
        }
    }

    private static void checkWebhook(String webhookUrl, String webhookSecret) {
        if (webhookUrl == null || webhookUrl.isBlank()) {
            throw new IllegalArgumentException("connectors.telegram.webhookUrl is required when "
                    + "connectors.telegram.mode is 'webhook' (the public https URL Telegram posts updates to)");
        }
        URI uri;
        try {
            uri = URI.create(webhookUrl.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("connectors.telegram.webhookUrl is not a URL: '" + webhookUrl + "'");
        }
        if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
            throw new IllegalArgumentException("connectors.telegram.webhookUrl must be an https URL (Telegram "
                    + "calls only https), got '" + webhookUrl + "'");
        }
        if (webhookSecret == null || webhookSecret.isEmpty()) {
            throw new IllegalArgumentException("connectors.telegram.webhookSecret is required in webhook mode "
                    + "(Telegram sends it back with every update, so forged updates can be refused); " + MAKE_SECRET);
        }
        // never echo the secret itself, not even a wrong one: it may be the real one with a typo
        if (!SECRET.matcher(webhookSecret).matches()) {
            throw new IllegalArgumentException("connectors.telegram.webhookSecret may hold only A-Z, a-z, 0-9, '_' "
                    + "and '-', at most " + MAX_SECRET + " characters (Telegram's rule for secret_token); "
                    + MAKE_SECRET);
        }
        if (webhookSecret.length() < MIN_SECRET) {
            throw new IllegalArgumentException("connectors.telegram.webhookSecret is too short (" + webhookSecret.length()
                    + " characters; at least " + MIN_SECRET + " are needed so that it cannot be guessed); "
                    + MAKE_SECRET);
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    @Override
    public String toString() {
        // the token and the webhook secret are credentials: keep them out of logs
        return "TelegramSettings[apiUrl=" + apiUrl + ", mode=" + mode + ", webhookUrl=" + webhookUrl
                + ", webhookBind=" + webhookBind + ", webhookPort=" + webhookPort + ", webhookPath=" + webhookPath
                + ", stateDir=" + stateDir + ", botName=" + botName + ", pollTimeout=" + pollTimeout + "]";
    }
}
