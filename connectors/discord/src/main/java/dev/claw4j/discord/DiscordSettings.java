package dev.claw4j.discord;

import java.net.URI;

/**
 * Settings of the Discord connector ({@code connectors.discord} in claw4j.yaml). {@code restUrl} and
 * {@code gatewayUrl} are advanced: null means Discord's own (the gateway URL is then asked from Discord at
 * login); tests point both at a loopback fake. {@code stickyThreads}: once the bot is @mentioned in a
 * thread, later messages in that thread are addressed to it without a mention. {@code shards} above 1
 * runs JDA's shard manager (only large bots need it).
 */
public record DiscordSettings(String token, String restUrl, String gatewayUrl, boolean stickyThreads, int shards) {
    public static final String DEFAULT_REST_URL = "https://discord.com/api/v10/";
    public static final int MAX_SHARDS = 1024;

    public DiscordSettings {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("connectors.discord.token is required (the bot token from the "
                    + "Developer Portal, usually ${DISCORD_BOT_TOKEN})");
        }
        token = token.strip();
        if (token.regionMatches(true, 0, "Bot ", 0, 4)) {
            // JDA adds the "Bot " prefix itself; a pasted header value would be refused as a bad token
            token = token.substring(4).strip();
        }
        restUrl = restUrl == null || restUrl.isBlank() ? DEFAULT_REST_URL : withSlash(restUrl.strip());
        requireScheme("connectors.discord.restUrl", restUrl, "http", "https");
        gatewayUrl = gatewayUrl == null || gatewayUrl.isBlank() ? null : gatewayUrl.strip();
        if (gatewayUrl != null) {
            requireScheme("connectors.discord.gatewayUrl", gatewayUrl, "ws", "wss");
        }
        if (shards < 1 || shards > MAX_SHARDS) {
            throw new IllegalArgumentException(
                    "connectors.discord.shards must be 1.." + MAX_SHARDS + " (1 = no sharding), got " + shards);
        }
    }

    /** Discord's own endpoints, sticky threads on, one shard. */
    public static DiscordSettings of(String token) {
        return new DiscordSettings(token, null, null, true, 1);
    }

    public DiscordSettings withEndpoints(String restUrl, String gatewayUrl) {
        return new DiscordSettings(token, restUrl, gatewayUrl, stickyThreads, shards);
    }

    public DiscordSettings withStickyThreads(boolean sticky) {
        return new DiscordSettings(token, restUrl, gatewayUrl, sticky, shards);
    }

    public DiscordSettings withShards(int count) {
        return new DiscordSettings(token, restUrl, gatewayUrl, stickyThreads, count);
    }

    /** Never print the token: records put every field into toString. */
    @Override
    public String toString() {
        return "DiscordSettings[token=***, restUrl=" + restUrl + ", gatewayUrl=" + gatewayUrl + ", stickyThreads="
                + stickyThreads + ", shards=" + shards + "]";
    }

    // JDA appends route paths to the base URL, so it must end with '/'
    private static String withSlash(String url) {
        return url.endsWith("/") ? url : url + "/";
    }

    private static void requireScheme(String key, String url, String... schemes) {
        String scheme;
        try {
            URI uri = new URI(url);
            scheme = uri.getScheme();
            if (uri.getHost() == null) {
                throw new IllegalArgumentException(key + " must be an absolute URL with a host, got '" + url + "'");
            }
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException(key + " is not a valid URL: '" + url + "'");
        }
        for (String s : schemes) {
            if (s.equalsIgnoreCase(scheme)) {
                return;
            }
        }
        throw new IllegalArgumentException(key + " must start with " + String.join(":// or ", schemes) + "://, got '"
                + url + "'");
    }
}
