package dev.claw4j.discord;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.ChannelType;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.GenericEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.hooks.EventListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Discord connector, on JDA. People DM the bot or @mention it in a server channel or thread; replies go
 * back as Discord replies, split at 2,000 characters, with every mention neutralised. JDA keeps the gateway
 * connected (heartbeats, reconnect and RESUME, which replays missed events) and honours rate limits; a
 * replayed event carries the same message id, which the host deduplicates.
 *
 * <p>Durability: Discord has no ack. JDA counts an event as seen (the sequence number a RESUME reports) as soon
 * as it read it, before our handler runs; within a run that loses nothing, since the event waits in our queue.
 * Nothing here counts an event as handled before the host's store took it: when the store refuses, the same
 * event is tried again on the one event thread (holding the later ones back, so order stays) for
 * {@link #STORE_ATTEMPTS} attempts. A process killed with events still in the queue starts a new gateway
 * session, and Discord replays nothing to it; so after every start {@link CatchUp} reads, in each channel with
 * recent messages, what came after the newest message stored, and hands it over the same way.
 */
public final class DiscordConnector implements Connector {
    private static final Logger log = LoggerFactory.getLogger(DiscordConnector.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int KNOWN_DMS = 10_000;
    static final int STORE_ATTEMPTS = 6;
    private static final Duration FIRST_STORE_RETRY = Duration.ofMillis(250);

    private final DiscordSettings settings;
    // one thread: JDA hands every event over at once (the gateway thread never waits on us) and order holds
    private final ExecutorService events = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("discord-events").daemon().factory());
    // DM channel -> the person, to reopen the DM (POST users/@me/channels) when JDA's cache has dropped it
    private final Map<String, String> dmUsers = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
                    return size() > KNOWN_DMS;
                }
            });
    private final InboundMessages inbound;
    private final TypingIndicators typing = new TypingIndicators(this::sendTyping);
    private volatile DiscordSession session;
    private volatile Replies replies;
    private final RestChannels byId;
    private volatile Thread catchingUp;
    /** Several hosts: the shards run here are the ones whose lease this host holds ({@link #shardsFollowLeases}). */
    private volatile boolean leased;
    private volatile Inbox inbox;

    public DiscordConnector(DiscordSettings settings) {
        this.settings = settings;
        this.byId = new RestChannels(settings.restUrl(), settings.token(), REQUEST_TIMEOUT);
        this.inbound = new InboundMessages(settings.stickyThreads(), new StickyThreads(StickyThreads.DEFAULT_CAPACITY),
                new AttachmentDownloader(REQUEST_TIMEOUT));
    }

    @Override
    public String platform() {
        return InboundMessages.PLATFORM;
    }

    @Override
    public void start(Inbox inbox) {
        this.inbox = inbox;
        EventListener listener = event -> onEvent(event, inbox);
        replies = new Replies(REQUEST_TIMEOUT);
        if (leased) {
            // no shard yet: each starts when this host gains its lease (shardGained), and catches up then
            session = DiscordSession.idle(settings, listener, events);
            log.info("discord: {} shard(s) divided among the live hosts by lease; this host runs its share",
                    settings.shards());
            return;
        }
        // read before logging in: a message that arrives live from now on must not move the start of the
        // catch-up past the ones that were missed
        List<Inbox.LastSeen> lastSeen = lastSeen(inbox);
        rememberDms(lastSeen);
        session = DiscordSession.login(settings, listener, events, READY_TIMEOUT);
        log.info("discord: logged in as {} ({} shard(s))", session.shards().getFirst().getSelfUser().getName(),
                settings.shards());
        catchUp(lastSeen, "");
    }

    /** The people of recent DMs, so that a reply still pending from before the restart can reopen its DM. */
    private void rememberDms(List<Inbox.LastSeen> lastSeen) {
        lastSeen.stream().filter(seen -> seen.kind() == ChatKind.DIRECT)
                .forEach(seen -> dmUsers.put(seen.chatId(), seen.senderId()));
    }

    /** Reads, in the background, what was said in these channels while nobody here listened. */
    private void catchUp(List<Inbox.LastSeen> lastSeen, String which) {
        CatchUp catchUp = new CatchUp(session, REQUEST_TIMEOUT, message -> handOver(message, inbox));
        catchingUp = Thread.ofPlatform().name("discord-catch-up").daemon().start(() -> {
            int read = catchUp.run(lastSeen);
            log.info("discord: catch-up{} done: {} channel(s), {} message(s) read", which, lastSeen.size(), read);
        });
    }

    /**
     * Several hosts on one database: this host runs no shard at start, only those it is told it gained
     * ({@link #shardGained}), until it is told it lost them. Call before {@link #start}; the app calls it when the
     * store is shared and {@code hostShards} does not divide the shards by hand.
     */
    public void shardsFollowLeases() {
        if (session != null) {
            throw new IllegalStateException("discord: shardsFollowLeases must be called before start");
        }
        leased = true;
    }

    /** How many shards the bot has ({@code connectors.discord.shards}). */
    public int shards() {
        return settings.shards();
    }

    /** Whether {@code hostShards} divides the shards by hand (then they do not follow leases). */
    public boolean shardsDividedByHand() {
        return settings.hostShards() != null;
    }

    /**
     * This host now holds shard {@code id}'s lease: the shard connects, then reads what its channels got while no host
     * ran it (the host that ran it died, say): the last message stored per channel is read before it connects, so a
     * live message cannot move that point past missed ones.
     */
    public void shardGained(int id) {
        DiscordSession s = session;
        if (s == null || !leased) {
            return;
        }
        List<Inbox.LastSeen> lastSeen = lastSeen(inbox);
        rememberDms(lastSeen);
        log.info("discord: shard {} of {} starts on this host (its lease is here)", id, settings.shards());
        s.startShard(id);
        Thread.ofPlatform().name("discord-shard-" + id + "-ready").daemon().start(() -> {
            long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            net.dv8tion.jda.api.JDA jda;
            while ((jda = s.connectedShard(id)) == null) {
                if (session != s) {
                    return; // the connector closed meanwhile
                }
                if (System.nanoTime() > deadline) {
                    log.warn("discord: shard {} did not connect within {} s; what its channels got meanwhile is not "
                            + "read", id, READY_TIMEOUT.toSeconds());
                    return;
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
            net.dv8tion.jda.api.JDA shard = jda;
            // this shard's servers' channels, and the DMs on shard 0 (Discord sends DMs there)
            catchUp(lastSeen.stream().filter(seen -> shard.getChannelById(MessageChannel.class,
                    seen.threadId() != null ? seen.threadId() : seen.chatId()) != null
                    || (id == 0 && seen.kind() == ChatKind.DIRECT)).toList(), " of shard " + id);
        });
    }

    /** How many shards run on this host now (connected or connecting). */
    int runningShards() {
        DiscordSession s = session;
        return s == null ? 0 : s.shards().size();
    }

    /** This host lost shard {@code id}'s lease (another host runs it now, or this one gave it up): it disconnects. */
    public void shardLost(int id) {
        DiscordSession s = session;
        if (s != null && leased) {
            log.info("discord: shard {} of {} stops on this host (its lease is gone)", id, settings.shards());
            s.stopShard(id);
        }
    }

    private static List<Inbox.LastSeen> lastSeen(Inbox inbox) {
        try {
            return inbox.latestInbound(InboundMessages.PLATFORM, Instant.now().minus(CatchUp.WINDOW));
        } catch (RuntimeException e) {
            log.warn("discord: could not read where each channel stands ({}); messages sent while claw4j was down "
                    + "are not read this time", e.toString());
            return List.of();
        }
    }

    /** A message read from history goes the way of a live one: on the event thread, as a received-message event. */
    private void handOver(Message message, Inbox inbox) {
        try {
            events.execute(() -> onEvent(new MessageReceivedEvent(message.getJDA(), -1, message), inbox));
        } catch (RejectedExecutionException closing) {
            throw new IllegalStateException("discord: the connector is closing", closing);
        }
    }

    private void onEvent(GenericEvent event, Inbox inbox) {
        if (!(event instanceof MessageReceivedEvent e)) {
            return;
        }
        try {
            InboundMessage message = inbound.from(e);
            if (message == null) {
                return;
            }
            if (e.getChannelType() == ChannelType.PRIVATE) {
                dmUsers.put(message.chatId(), message.senderId());
            }
            Inbox.Accepted accepted = receiveWithRetries(inbox, message);
            log.debug("discord: message {} in {} stored as {} (duplicate={}, addressed={})", message.platformMessageId(),
                    message.chatId(), accepted.messageId(), accepted.duplicate(), accepted.addressed());
        } catch (RuntimeException ex) {
            // Discord does not redeliver an event we already took, so this message is lost: say so loudly
            log.error("discord: message {} in channel {} could not be handed to the host after {} attempts; it is "
                    + "lost (ask the sender to repeat it)", e.getMessageId(), e.getChannel().getId(), STORE_ATTEMPTS,
                    ex);
        }
    }

    /**
     * Hands the message to the host, again after a failure (a store that is briefly down) with growing waits,
     * on the event thread, so later events wait behind it and keep their order.
     */
    private static Inbox.Accepted receiveWithRetries(Inbox inbox, InboundMessage message) {
        Duration wait = FIRST_STORE_RETRY;
        for (int attempt = 1; ; attempt++) {
            try {
                return inbox.receive(message);
            } catch (RuntimeException e) {
                if (attempt >= STORE_ATTEMPTS) {
                    throw e;
                }
                log.warn("discord: message {} in {} could not be stored ({}); trying again in {} ms",
                        message.platformMessageId(), message.chatId(), e.toString(), wait.toMillis());
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException stop) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
                wait = wait.multipliedBy(2);
            }
        }
    }

    @Override
    public Delivered deliver(OutboundMessage message) throws DeliveryException {
        if (session == null || replies == null) {
            throw new DeliveryException("discord: the connector is not started");
        }
        String id = message.threadId() != null ? message.threadId() : message.chatId();
        MessageChannel channel = channelFor(id);
        if (channel != null) {
            return replies.send(channel, message);
        }
        // not in this host's cache: another host's shard serves its server (this host took the group over), or a
        // DM from before a restart; Discord takes a post by channel id from any host
        log.debug("discord: channel {} is not in this host's cache; sending reply {} by channel id", id, message.id());
        return replies.send(message, byId.into(id));
    }

    /** The thread or channel from the cache; a DM the cache has dropped is opened again; null when neither. */
    private MessageChannel channelFor(String id) throws DeliveryException {
        MessageChannel channel = session.channel(id);
        if (channel != null) {
            return channel;
        }
        String user = dmUsers.get(id);
        if (user != null) {
            try {
                return session.openDm(user, REQUEST_TIMEOUT);
            } catch (RuntimeException e) {
                throw Replies.failure("discord: could not open the DM with user " + user, e);
            }
        }
        return null;
    }

    @Override
    public void working(String chatId, String threadId, boolean busy) {
        if (session != null) {
            typing.set(threadId != null ? threadId : chatId, busy);
        }
    }

    // the turn's status message: sent without a notification, edited in place, deleted at the end

    @Override
    public String progress(String chatId, String threadId, String text) {
        MessageChannel channel = statusChannel(chatId, threadId);
        if (channel == null) {
            return null;
        }
        try {
            // the agent's step may quote "@everyone": a status line never pings anyone
            return channel.sendMessage(text).setSuppressedNotifications(true).setAllowedMentions(NO_MENTIONS).submit()
                    .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).getId();
        } catch (Exception e) {
            log.debug("discord: status message in {} not sent: {}", chatId, e.toString());
            return null;
        }
    }

    @Override
    public void editProgress(String chatId, String threadId, String handle, String text) {
        MessageChannel channel = statusChannel(chatId, threadId);
        if (channel != null) {
            try {
                channel.editMessageById(handle, text).setAllowedMentions(NO_MENTIONS).submit().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.debug("discord: status message in {} not edited: {}", chatId, e.toString());
            }
        }
    }

    @Override
    public void clearProgress(String chatId, String threadId, String handle) {
        MessageChannel channel = statusChannel(chatId, threadId);
        if (channel != null) {
            try {
                channel.deleteMessageById(handle).submit().get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                log.debug("discord: status message in {} not deleted: {}", chatId, e.toString());
            }
        }
    }

    private static final java.util.EnumSet<net.dv8tion.jda.api.entities.Message.MentionType> NO_MENTIONS =
            java.util.EnumSet.noneOf(net.dv8tion.jda.api.entities.Message.MentionType.class);

    private MessageChannel statusChannel(String chatId, String threadId) {
        DiscordSession s = session;
        return s == null ? null : s.channel(threadId != null ? threadId : chatId);
    }

    private void sendTyping(String channelId) {
        MessageChannel channel = session.channel(channelId);
        if (channel != null) {
            channel.sendTyping().queue(null, e -> log.debug("discord: typing in {} failed: {}", channelId, e.toString()));
        }
    }

    @Override
    public void close() {
        Thread c = catchingUp;
        if (c != null) {
            c.interrupt();
        }
        typing.close();
        DiscordSession s = session;
        session = null;
        if (s != null) {
            s.close();
        }
        events.shutdown();
    }
}
