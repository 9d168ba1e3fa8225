package dev.claw4j.web;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.cluster.ReplySignal;
import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import io.javalin.json.JavalinJackson;
import io.javalin.util.JavalinBindException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local web chat: a JSON API, a Server-Sent Events stream per chat and a single page, on Javalin. It needs
 * no platform account, which makes it the channel to try claw4j with and the one end-to-end tests drive.
 *
 * <p>It trusts no browser page: every request passes {@link WebGuard} (its own Host and Origin only, the
 * install's token, JSON for anything that changes state), and the name a person types is only a label; the
 * sender id comes from {@link WebSenders}.
 *
 * <p>Rooms whose name starts with {@code dm-} are direct chats; every other room is a group chat, where the bot
 * answers only when @mentioned.
 */
public final class WebConnector implements Connector {
    public static final String PLATFORM = "web";

    private static final Logger log = LoggerFactory.getLogger(WebConnector.class);
    private static final String PAGE = "/dev/claw4j/web/index.html";
    // Jetty closes a connection after 30 s without traffic; a comment line well inside that keeps streams open.
    private static final long PING_SECONDS = 15;

    private final WebSettings settings;
    private final ObjectMapper json = new ObjectMapper();
    private final Pattern mention;
    private final ChatListeners listeners = new ChatListeners();
    private final java.util.concurrent.atomic.AtomicLong progressIds = new java.util.concurrent.atomic.AtomicLong();
    private final Map<String, Boolean> busy = new ConcurrentHashMap<>();
    private volatile Inbox inbox;
    /** Several hosts: replies go out as a signal every host's pages hear; null alone (pushed here directly). */
    private volatile ReplySignal replySignal;
    /** Reads other hosts' delivered replies from the store and pushes them, one at a time (in order). */
    private ExecutorService replyReader;
    private WebToken token;
    private WebGuard guard;
    private Javalin app;
    private ScheduledExecutorService pinger;

    public WebConnector(WebSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        // "@claw" as a word: not "@clawdia", not "me@claw.dev"-like addresses glued to other text.
        this.mention = Pattern.compile("(?<![\\w@.])@" + Pattern.quote(settings.botName()) + "(?![\\w-])",
                Pattern.CASE_INSENSITIVE);
    }

    @Override
    public String platform() {
        return PLATFORM;
    }

    @Override
    public synchronized void start(Inbox inbox) {
        if (app != null) {
            throw new IllegalStateException("web chat is already started");
        }
        this.inbox = Objects.requireNonNull(inbox, "inbox");
        String page = loadPage();
        token = WebToken.of(settings.dataDir());
        guard = new WebGuard(settings, token, what -> inbox.refused(PLATFORM, what));
        Javalin created = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.host = settings.bind();
            config.jetty.port = settings.port();
            config.jsonMapper(new JavalinJackson(json, false));

            config.routes.before(guard::check);
            config.routes.get("/", ctx -> ctx.html(page));
            config.routes.post("/api/chats/{chat}/messages", this::post);
            config.routes.get("/api/chats/{chat}/messages", this::history);
            SseHandler stream = new SseHandler(this::subscribe);
            config.routes.get("/api/chats/{chat}/events", ctx -> {
                PostedMessage.checkChat(ctx.pathParam("chat"));
                String accept = ctx.header("Accept");
                if (accept == null || !accept.contains("text/event-stream")) {
                    throw new BadRequest("this is a Server-Sent Events stream; open it with EventSource"
                            + " or send 'Accept: text/event-stream'");
                }
                stream.handle(ctx);
            });

            config.routes.exception(Refused.class, (e, ctx) -> error(ctx, e.status(), e.getMessage()));
            config.routes.exception(BadRequest.class, (e, ctx) -> error(ctx, 400, e.getMessage()));
            // Javalin's own 404/405/413... would otherwise be text or HTML depending on the Accept header.
            config.routes.exception(HttpResponseException.class,
                    (e, ctx) -> error(ctx, e.getStatus(), e.getMessage()));
            config.routes.exception(Exception.class, (e, ctx) -> {
                log.error("web chat: {} {} failed", ctx.method(), ctx.path(), e);
                error(ctx, 500, "the chat host could not handle this request (details are in the server log);"
                        + " try again in a moment");
            });
            config.routes.error(404, ctx -> error(ctx, 404,
                    "no such page or API route: " + ctx.method() + " " + ctx.path()
                            + "; the API is /api/chats/{chat}/messages (GET, POST) and /api/chats/{chat}/events"));
        });
        try {
            created.start();
        } catch (JavalinBindException e) {
            created.stop();
            throw new IllegalStateException("web chat: port " + settings.port() + " is in use; set connectors.web.port"
                    + " to a free port (or stop what is using it)", e);
        }
        app = created;
        pinger = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().daemon().name("web-chat-ping").factory());
        pinger.scheduleAtFixedRate(listeners::ping, PING_SECONDS, PING_SECONDS, TimeUnit.SECONDS);
        // the one line that tells the operator how to get in; the token is theirs, like the config file
        log.info("web chat: {}", url());
    }

    /** The page's address with this install's token: opening it once lets this browser in. */
    public String url() {
        return guard.pageBase(port()) + "?token=" + token.value();
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        if (app == null) {
            throw new IllegalStateException("web chat is not started");
        }
        return app.port();
    }

    /**
     * Several hosts on one database: a page open on this host may wait for a reply another host delivers (the one that
     * holds the chat's group). From now on a delivered reply goes out as {@code signal} (its ids only) to every host,
     * this one too, and each pushes it to its own open pages, reading it from the store with {@code storedReplies}:
     * every page sees it once, whichever host it is connected to. A signal that could not go out is pushed here
     * only; a page that missed a signal (its host was not listening then) shows the reply in the history.
     */
    public synchronized void shareRepliesAcrossHosts(ReplySignal signal,
            LongFunction<Optional<OutboundMessage>> storedReplies) {
        Objects.requireNonNull(storedReplies, "storedReplies");
        if (replyReader == null) {
            replyReader = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("web-chat-replies")
                    .factory());
        }
        ExecutorService reader = replyReader;
        signal.onDelivered((platform, chat, replyId) -> {
            if (!PLATFORM.equals(platform) || listeners.count(chat) == 0) {
                return; // nobody here waits for it: no need to read it
            }
            reader.execute(() -> {
                try {
                    storedReplies.apply(replyId).filter(r -> r.chatId().equals(chat)).ifPresent(this::push);
                } catch (RuntimeException e) {
                    log.warn("web chat: could not read reply {} of chat {} to show it on the open pages ({}); they "
                            + "show it when reloaded", replyId, chat, e.getMessage());
                }
            });
        });
        this.replySignal = signal;
    }

    /** The web chat's own id of a reply is its outbox id, the one pages see on the line. */
    @Override
    public Delivered deliver(OutboundMessage message) {
        // The host stored the reply before delivering it, so history already shows it; this only pushes it to
        // open pages (of every host, when several share the database). Nobody listening is not a failure.
        ReplySignal signal = replySignal;
        if (signal == null || !signal.delivered(PLATFORM, message.chatId(), message.id())) {
            push(message);
        }
        return Delivered.of(Long.toString(message.id()));
    }

    private void push(OutboundMessage message) {
        // the web chat has no file downloads yet: a sent file shows as its name
        String text = message.file() == null ? message.text()
                : (message.text().isBlank() ? "" : message.text() + "\n") + "[file: " + message.fileName() + "]";
        WireLine line = new WireLine(message.id(), "out", settings.botName(), text, "DELIVERED",
                Instant.now().toString());
        listeners.send(message.chatId(), "message", toJson(line));
    }

    @Override
    public void working(String chatId, String threadId, boolean isBusy) {
        // Web rooms have no threads; the indicator is per room.
        Boolean before = busy.put(chatId, isBusy);
        if (before == null || before != isBusy) {
            listeners.send(chatId, "working", toJson(Map.of("busy", isBusy)));
        }
    }

    // the turn's status line: a "progress" event with its id and text to open pages; "" removes it

    @Override
    public String progress(String chatId, String threadId, String text) {
        String id = "p" + progressIds.incrementAndGet();
        listeners.send(chatId, "progress", toJson(Map.of("id", id, "text", text)));
        return id;
    }

    @Override
    public void editProgress(String chatId, String threadId, String handle, String text) {
        listeners.send(chatId, "progress", toJson(Map.of("id", handle, "text", text)));
    }

    @Override
    public void clearProgress(String chatId, String threadId, String handle) {
        listeners.send(chatId, "progress", toJson(Map.of("id", handle, "text", "")));
    }

    @Override
    public synchronized void close() {
        if (app == null) {
            return;
        }
        pinger.shutdownNow();
        if (replyReader != null) {
            replyReader.shutdownNow();
            replyReader = null;
        }
        listeners.closeAll(); // completes the open streams so Jetty can stop without waiting for them
        app.stop();
        app = null;
    }

    /** Open event streams of a chat; tests wait on it before delivering. */
    int listenerCount(String chat) {
        return listeners.count(chat);
    }

    private void post(Context ctx) {
        String chat = PostedMessage.checkChat(ctx.pathParam("chat"));
        PostedMessage posted = PostedMessage.parse(ctx.body(), json);
        // The typed name is the label people see; the id access rules see is this browser's (see WebSenders).
        String sender = WebSenders.id(WebGuard.senderSecret(ctx), posted.user());
        InboundMessage message = new InboundMessage(PLATFORM, chat, null, sender, posted.user(),
                posted.text(), posted.id() != null ? posted.id() : UUID.randomUUID().toString(),
                chat.startsWith("dm-") ? ChatKind.DIRECT : ChatKind.GROUP,
                mention.matcher(posted.text()).find(), Instant.now());
        Inbox.Accepted accepted = inbox.receive(message); // stored and committed: only now is it accepted
        ctx.status(202).json(Map.of("id", accepted.messageId(), "duplicate", accepted.duplicate(),
                "addressed", accepted.addressed(), "sender", PLATFORM + ":" + sender));
    }

    private void history(Context ctx) {
        String chat = PostedMessage.checkChat(ctx.pathParam("chat"));
        List<WireLine> lines = inbox.history(PLATFORM, chat).stream().map(WireLine::of).toList();
        ctx.json(lines);
    }

    private void subscribe(SseClient client) {
        String chat = client.ctx().pathParam("chat");
        client.keepAlive();
        listeners.add(chat, client);
        // The current state first: a page that (re)connects mid-turn shows "working…" right away.
        ChatListeners.send(client, "working", toJson(Map.of("busy", busy.getOrDefault(chat, false))));
    }

    private static void error(Context ctx, int status, String message) {
        ctx.status(status).json(Map.of("error", message == null ? "request failed" : message));
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + value.getClass().getSimpleName(), e);
        }
    }

    private String loadPage() {
        try (InputStream in = WebConnector.class.getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException("web chat page " + PAGE + " is missing from the jar");
            }
            // The bot name is validated to word characters, so it is safe to place into the HTML as is.
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("{{botName}}", settings.botName());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
