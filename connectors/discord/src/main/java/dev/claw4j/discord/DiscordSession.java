package dev.claw4j.discord;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.exceptions.InvalidTokenException;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestAction;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.sharding.DefaultShardManagerBuilder;
import net.dv8tion.jda.api.sharding.ShardManager;
import net.dv8tion.jda.api.utils.ChunkingFilter;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.MemberCachePolicy;
import net.dv8tion.jda.api.utils.SessionController;
import net.dv8tion.jda.api.utils.SessionControllerAdapter;

/**
 * One login to Discord: a single JDA, or JDA's shard manager when {@code shards > 1}. Hides which one it is
 * from the connector, which only needs channels by id, the bot's own id and a way to open a DM.
 */
final class DiscordSession implements AutoCloseable {
    /** Guild messages and DMs, and their text (Message Content is privileged: enabled in the portal). */
    static final EnumSet<GatewayIntent> INTENTS = EnumSet.of(GatewayIntent.GUILD_MESSAGES,
            GatewayIntent.DIRECT_MESSAGES, GatewayIntent.MESSAGE_CONTENT);

    private final JDA single;
    private final ShardManager sharded;
    /** How many shards this host runs: all of them, or its part when several hosts share the bot. */
    private final int expected;

    private DiscordSession(JDA single, ShardManager sharded, int expected) {
        this.expected = expected;
        this.single = single;
        this.sharded = sharded;
    }

    /**
     * Logs in and waits until every shard is connected and has its guilds. Throws with a message for the
     * person running claw4j (bad token, unreachable Discord, no READY in time); nothing is left running then.
     */
    static DiscordSession login(DiscordSettings settings, EventListener listener, ExecutorService eventPool,
                                Duration readyTimeout) {
        // JDA by default appends a "context" exception to the innermost cause of every REST failure; when that
        // cause came with an explicit null cause (Jackson's parse errors do), Throwable.initCause throws inside
        // JDA's failure callback and the request's future is never completed. An answer JDA cannot parse then
        // hangs the send until our timeout and is sent again. Without the context, the failure arrives.
        RestAction.setPassContext(false);
        DiscordSession session = null;
        try {
            session = settings.shards() > 1 ? shardManager(settings, listener, eventPool)
                    : new DiscordSession(single(settings, listener, eventPool), null, 1);
            session.awaitReady(readyTimeout);
            return session;
        } catch (InvalidTokenException e) {
            close(session);
            throw new IllegalStateException(
                    "discord: the bot token was refused (401); check connectors.discord.token", e);
        } catch (InterruptedException e) {
            close(session);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("discord: interrupted while logging in", e);
        } catch (RuntimeException e) {
            close(session);
            if (e instanceof IllegalStateException && e.getMessage() != null && e.getMessage().startsWith("discord:")) {
                throw e;
            }
            throw new IllegalStateException("discord: could not log in at " + settings.restUrl() + ": " + e, e);
        }
    }

    private static JDA single(DiscordSettings settings, EventListener listener, ExecutorService eventPool) {
        JDABuilder builder = JDABuilder.createLight(settings.token(), INTENTS)
                .setRestConfig(new RestConfig().setBaseUrl(settings.restUrl()))
                // no member cache or chunking: messages carry their author and member, which is all we read
                .setMemberCachePolicy(MemberCachePolicy.NONE)
                .setChunkingFilter(ChunkingFilter.NONE)
                // events leave the gateway's read thread at once (downloads must not delay heartbeats);
                // one thread keeps them in order
                .setEventPool(eventPool, false)
                .setEnableShutdownHook(false)
                .addEventListeners(listener);
        if (settings.gatewayUrl() != null) {
            builder.setSessionController(controller(settings)).setCompression(Compression.NONE);
        }
        return builder.build();
    }

    private static DiscordSession shardManager(DiscordSettings settings, EventListener listener,
                                               ExecutorService eventPool) {
        DefaultShardManagerBuilder builder = shardManagerBuilder(settings, listener, eventPool)
                .setShards(settings.shardIds()); // this host's part when several hosts share the bot
        return new DiscordSession(null, builder.build(), settings.shardIds().size());
    }

    /** The shard manager's settings, as for a single JDA, the shards left to the caller. */
    private static DefaultShardManagerBuilder shardManagerBuilder(DiscordSettings settings, EventListener listener,
                                                                  ExecutorService eventPool) {
        DefaultShardManagerBuilder builder = DefaultShardManagerBuilder.createLight(settings.token(), INTENTS)
                .setShardsTotal(settings.shards())
                .setRestConfig(new RestConfig().setBaseUrl(settings.restUrl()))
                .setMemberCachePolicy(MemberCachePolicy.NONE)
                .setChunkingFilter(ChunkingFilter.NONE)
                .setEventPool(eventPool, false)
                .setEnableShutdownHook(false)
                .addEventListeners(listener);
        if (settings.gatewayUrl() != null) {
            builder.setSessionController(controller(settings)).setCompression(Compression.NONE);
        }
        return builder;
    }

    /**
     * Points JDA at a custom gateway (tests, proxies). Without it JDA uses Discord's, and the shard manager
     * asks {@code GET gateway/bot} for it. Compression is off then: a custom gateway need not speak zlib.
     */
    private static SessionController controller(DiscordSettings settings) {
        return new SessionControllerAdapter() {
            @Override
            public String getGateway() {
                return settings.gatewayUrl();
            }

            @Override
            public ShardedGateway getShardedGateway(JDA api) {
                return new ShardedGateway(settings.gatewayUrl(), settings.shards());
            }
        };
    }

    /**
     * Several hosts dividing the shards by lease: JDA's shard manager logged in with no shard running; the connector
     * starts and stops shards as this host gains and loses their leases ({@link #startShard}, {@link #stopShard}).
     * A bad token shows when the first shard starts (JDA then logs it and stops the manager).
     */
    static DiscordSession idle(DiscordSettings settings, EventListener listener, ExecutorService eventPool) {
        RestAction.setPassContext(false); // see login
        DefaultShardManagerBuilder builder = shardManagerBuilder(settings, listener, eventPool).setShards(List.of());
        return new DiscordSession(null, builder.build(false), 0);
    }

    /** Connects shard {@code id} (in the background: JDA keeps the gateway's pace between shards). */
    void startShard(int id) {
        sharded.start(id);
    }

    /** Disconnects shard {@code id}, if it runs here. */
    void stopShard(int id) {
        sharded.shutdown(id);
    }

    /** Shard {@code id} when it runs here and is connected (its servers in the cache), else null. */
    JDA connectedShard(int id) {
        JDA jda = sharded == null ? null : sharded.getShardById(id);
        return jda != null && jda.getStatus() == JDA.Status.CONNECTED ? jda : null;
    }

    /** JDA's own awaitReady has no timeout; a gateway that never says READY must not hang start-up. */
    private void awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JDA> shards = shards();
            if (!shards.isEmpty() && shards.size() == expectedShards()
                    && shards.stream().allMatch(j -> j.getStatus() == JDA.Status.CONNECTED)) {
                return;
            }
            for (JDA jda : shards) {
                if (jda.getStatus() == JDA.Status.SHUTDOWN || jda.getStatus() == JDA.Status.FAILED_TO_LOGIN) {
                    throw new IllegalStateException("discord: the gateway closed the connection during login (shard "
                            + jda.getShardInfo().getShardString() + "); check connectors.discord.token and that the "
                            + "Message Content intent is enabled for the bot");
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("discord: no READY from the gateway within " + timeout.toSeconds()
                        + " s (" + shards.stream().map(j -> j.getShardInfo().getShardString() + " " + j.getStatus())
                        .toList() + ")");
            }
            Thread.sleep(50);
        }
    }

    private int expectedShards() {
        return expected;
    }

    /** All shards (one when not sharded). The shard manager may start them late, so this is read each time. */
    List<JDA> shards() {
        return single != null ? List.of(single) : sharded.getShardCache().asList();
    }

    /** A text channel, thread or known DM by id, from the cache; null when no shard knows it. */
    MessageChannel channel(String id) {
        for (JDA jda : shards()) {
            MessageChannel c = jda.getChannelById(MessageChannel.class, id);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /** Opens (or finds) the DM channel with a user: {@code POST users/@me/channels}; null when no shard runs. */
    MessageChannel openDm(String userId, Duration timeout) {
        if (shards().isEmpty()) {
            return null; // no shard runs here now (they follow leases): the caller posts by channel id instead
        }
        return shards().getFirst().openPrivateChannelById(userId).timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .complete();
    }

    @Override
    public void close() {
        if (single != null) {
            single.shutdownNow();
        } else {
            sharded.shutdown();
        }
    }

    private static void close(DiscordSession session) {
        if (session != null) {
            session.close();
        }
    }
}
