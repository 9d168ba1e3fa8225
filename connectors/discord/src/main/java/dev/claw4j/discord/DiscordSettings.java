package dev.claw4j.discord;

import java.net.URI;

/**
 * Settings of the Discord connector ({@code connectors.discord} in claw4j.yaml). {@code restUrl} and
 * {@code gatewayUrl} are advanced: null means Discord's own (the gateway URL is then asked from Discord at
 * login); tests point both at a loopback fake. {@code stickyThreads}: once the bot is @mentioned in a
 * thread, later messages in that thread are addressed to it without a mention. {@code shards} above 1
 * runs JDA's shard manager (only large bots need it). {@code hostShards} (for example {@code 0-3} or {@code 0,2}):
 * the shard ids, of {@code shards}, this host runs when several hosts share the bot; null runs them all.
 */
public record DiscordSettings(String token, String restUrl, String gatewayUrl, boolean stickyThreads, int shards,
                              String hostShards) {
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
        hostShards = hostShards == null || hostShards.isBlank() ? null : hostShards.strip();
        if (hostShards != null) {
            shardIds(hostShards, shards); // refuses a bad list now, naming the key
        }
    }

    public DiscordSettings(String token, String restUrl, String gatewayUrl, boolean stickyThreads, int shards) {
        this(token, restUrl, gatewayUrl, stickyThreads, shards, null);
    }

    /** The shard ids this host runs, in order: every one of {@code shards} unless {@code hostShards} says. */
    public java.util.List<Integer> shardIds() {
        return hostShards == null ? java.util.stream.IntStream.range(0, shards).boxed().toList()
                : shardIds(hostShards, shards);
    }

    /** Whether this host runs only some of the shards (another host runs the others). */
    public boolean runsSomeShards() {
        return shardIds().size() < shards;
    }

    /** {@code 0-3,8}: ranges and single ids, each below {@code total}, none twice. */
    static java.util.List<Integer> shardIds(String spec, int total) {
        java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
        for (String part : spec.split(",")) {
            String p = part.strip();
            try {
                int dash = p.indexOf('-');
                int from = Integer.parseInt((dash < 0 ? p : p.substring(0, dash)).strip());
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).strip());
                if (from < 0 || to >= total || from > to) {
                    throw new NumberFormatException();
                }
                for (int id = from; id <= to; id++) {
                    if (!ids.add(id)) {
                        throw new IllegalArgumentException("connectors.discord.hostShards names shard " + id
                                + " twice ('" + spec + "')");
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("connectors.discord.hostShards must list shard ids from 0 to "
                        + (total - 1) + " (connectors.discord.shards is " + total + "), like 0-3 or 0,2; got '"
                        + spec + "'");
            }
        }
        return java.util.List.copyOf(ids);
    }

    /** Discord's own endpoints, sticky threads on, one shard. */
    public static DiscordSettings of(String token) {
        return new DiscordSettings(token, null, null, true, 1);
    }

    public DiscordSettings withEndpoints(String restUrl, String gatewayUrl) {
        return new DiscordSettings(token, restUrl, gatewayUrl, stickyThreads, shards, hostShards);
    }

    public DiscordSettings withStickyThreads(boolean sticky) {
        return new DiscordSettings(token, restUrl, gatewayUrl, sticky, shards, hostShards);
    }

    public DiscordSettings withShards(int count) {
        return new DiscordSettings(token, restUrl, gatewayUrl, stickyThreads, count, hostShards);
    }

    /** This host runs only these of the shards ({@code 0-3}, {@code 0,2}); the other hosts run the rest. */
    public DiscordSettings withHostShards(String ids) {
        return new DiscordSettings(token, restUrl, gatewayUrl, stickyThreads, shards, ids);
    }

    /** Never print the token: records put every field into toString. */
    @Override
    public String toString() {
        return "DiscordSettings[token=***, restUrl=" + restUrl + ", gatewayUrl=" + gatewayUrl + ", stickyThreads="
                + stickyThreads + ", shards=" + shards + ", hostShards=" + hostShards + "]";
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
