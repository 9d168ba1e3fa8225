package dev.claw4j.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.context.builtin.EventContext;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.socket_mode.SocketModeApp;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import com.slack.api.model.event.AppMentionEvent;
import com.slack.api.model.event.MessageEvent;
import com.slack.api.model.event.MessageFileShareEvent;
import com.slack.api.model.event.MessageThreadBroadcastEvent;
import com.slack.api.socket_mode.SocketModeClient;
import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.OutboundMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Slack, on Bolt for Java. Events arrive over Socket Mode (default: an outbound WebSocket, no public URL) or
 * as signed HTTP requests. Either way an event is acked only after its message is in the host's store: the
 * handler waits for the store (with names and files fetched first, so the stored message is complete) up to
 * {@link #ACK_BUDGET}, inside Slack's 3 s. When that is not enough (a slow download, a stalled store) or the
 * store refused, the handler throws {@link NotStored} and the event is not acked (HTTP 503 or 500; in Socket
 * Mode no envelope ack), Slack sends it again, and the store keeps it once. Bolt's Socket Mode acks the envelope after the handler returns, on the socket's thread, so
 * events are stored one at a time in Slack's order there.
 * Replies are converted to mrkdwn, split at Slack's limits and posted into the thread of the message they
 * answer.
 */
public final class SlackConnector implements Connector {
    public static final String PLATFORM = "slack";
    /** How long an event handler waits for the store before it leaves the event unacked (Slack allows 3 s). */
    static final Duration ACK_BUDGET = Duration.ofMillis(2_500);
    private static final Logger log = LoggerFactory.getLogger(SlackConnector.class);

    private final SlackSettings settings;
    private final MessageSplitter splitter = new MessageSplitter();
    /** outbox id → parts already posted, so a retry after a part failed does not post the earlier ones twice. */
    private final Bounded<Long, Sent> partsSent = new Bounded<>(1_000);
    /** What Slack answered last on each thread, so a 2xx the SDK could not read still counts as delivered. */
    private final AnswerStatus answers = new AnswerStatus();
    private Slack slack;
    private MethodsClient client;
    private ChatLanes lanes;
    private SlackFiles files;
    private Progress progress;
    private SocketModeApp socketMode;
    private HttpEvents http;
    private String botUserId;

    public SlackConnector(SlackSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String platform() {
        return PLATFORM;
    }

    @Override
    public synchronized void start(Inbox inbox) {
        if (slack != null) {
            throw new IllegalStateException("slack: already started");
        }
        SlackConfig config = new SlackConfig(); // never SlackConfig.DEFAULT: it is shared and frozen
        config.setMethodsEndpointUrlPrefix(settings.apiUrl());
        config.getMethodsConfig().setStatsEnabled(false); // no metrics threads for calls we do not watch
        config.getHttpClientResponseHandlers().add(answers);
        slack = Slack.getInstance(config);
        try {
            client = slack.methods(settings.botToken());
            botUserId = authTest();
            lanes = new ChatLanes();
            files = new SlackFiles(client, slack.getHttpClient().getOkHttpClient(), settings.botToken(),
                    settings.apiUrl(), what -> inbox.refused("slack", what), answers);
            progress = new Progress(client, lanes);
            SlackInbound inbound = new SlackInbound(inbox, botUserId, new SlackNames(client), files, progress, lanes,
                    settings.stickyThreads());
            App app = boltApp(inbound);
            if (settings.mode() == SlackSettings.Mode.SOCKET) {
                startSocketMode(app);
            } else {
                app.start();
                http = new HttpEvents(settings, app, what -> inbox.refused("slack", what));
                http.start();
            }
            log.info("slack: connected as {} ({} mode)", botUserId, settings.mode().name().toLowerCase());
        } catch (RuntimeException e) {
            close();
            throw e;
        } catch (Exception e) {
            close();
            throw new IllegalStateException("slack: could not start: " + e.getMessage(), e);
        }
    }

    /** The bot's own user id, which is how it recognises mentions of itself; a refused token stops here. */
    private String authTest() {
        try {
            var auth = client.authTest(r -> r);
            if (!auth.isOk()) {
                throw new IllegalStateException("slack: the bot token was refused (" + auth.getError()
                        + " from auth.test); check connectors.slack.botToken");
            }
            return auth.getUserId();
        } catch (IOException e) {
            throw new IllegalStateException("slack: cannot reach the Slack API at " + settings.apiUrl() + " ("
                    + e.getMessage() + "); check the network or connectors.slack.apiUrl", e);
        } catch (SlackApiException e) {
            throw new IllegalStateException("slack: auth.test failed with HTTP " + e.getResponse().code()
                    + "; check connectors.slack.botToken and connectors.slack.apiUrl", e);
        }
    }

    /**
     * Bolt registers its event listener only on clients it builds itself (not on one passed in), so it opens
     * the connection; events are then handled one at a time on the socket's thread, in Slack's order.
     */
    private void startSocketMode(App app) {
        try {
            socketMode = new SocketModeApp(settings.appToken(), app, SocketModeClient.Backend.JavaWebSocket,
                    SlackConnector::notAcked);
            socketMode.startAsync();
        } catch (Exception e) {
            // a refused token comes as "…(error: invalid_auth)"; an HTTP failure is logged by Bolt, then null
            String reason = e instanceof NullPointerException ? "apps.connections.open failed, see the log above"
                    : e.getMessage();
            throw new IllegalStateException("slack: could not open a Socket Mode connection (" + reason
                    + "); check connectors.slack.appToken (an xapp- token with connections:write) and that Socket "
                    + "Mode is enabled for the app", e);
        }
    }

    /** Socket Mode: an event whose handler threw gets no ack (null), and Slack sends it again. */
    private static Response notAcked(SocketModeApp.ErrorContext error) {
        NotStored notStored = NotStored.in(error.getException());
        if (notStored != null) {
            log.warn(notStored.getMessage());
        } else {
            log.error("slack: handling a Socket Mode event failed; not acking it, so Slack sends it again",
                    error.getException());
        }
        return null;
    }

    private App boltApp(SlackInbound inbound) {
        App app = new App(AppConfig.builder()
                .slack(slack)
                .singleTeamBotToken(settings.botToken())
                .signingSecret(settings.signingSecret())
                .authTestCacheEnabled(true) // otherwise Bolt calls auth.test on every event
                .allEventsApiAutoAckEnabled(true) // edits, joins, bot messages…: ack and ignore, never a retry storm
                .build());
        app.event(AppMentionEvent.class,
                (payload, ctx) -> ackWhenStored(inbound.onEvent(SlackEvent.of(payload.getEvent())), ctx));
        app.event(MessageEvent.class,
                (payload, ctx) -> ackWhenStored(inbound.onEvent(SlackEvent.of(payload.getEvent())), ctx));
        app.event(MessageFileShareEvent.class,
                (payload, ctx) -> ackWhenStored(inbound.onEvent(SlackEvent.of(payload.getEvent())), ctx));
        app.event(MessageThreadBroadcastEvent.class,
                (payload, ctx) -> ackWhenStored(inbound.onEvent(SlackEvent.of(payload.getEvent())), ctx));
        return app;
    }

    /**
     * The ack, once the message is stored; otherwise {@link NotStored}, so Slack delivers the event again (a
     * 5xx over HTTP; in Socket Mode no ack).
     */
    private static Response ackWhenStored(CompletableFuture<Void> stored, EventContext ctx) {
        try {
            stored.get(ACK_BUDGET.toMillis(), TimeUnit.MILLISECONDS);
            return ctx.ack();
        } catch (TimeoutException e) {
            throw new NotStored(503, "slack: an event was not stored within " + ACK_BUDGET.toMillis() + " ms (slow "
                    + "file download or store); not acking it, so Slack sends it again and the host keeps it once", e);
        } catch (ExecutionException e) {
            throw new NotStored(500, "slack: an event could not be stored (" + e.getCause()
                    + "); not acking it, so Slack sends it again", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NotStored(503, "slack: interrupted while storing an event; not acking it", e);
        }
    }

    /** HTTP mode's port (useful with port 0). */
    public int port() {
        if (http == null) {
            throw new IllegalStateException("slack: not started in HTTP mode");
        }
        return http.port();
    }

    /**
     * Posts the reply's parts; returns the ids of what Slack made ({@code channel:ts} of each message, the same
     * form as an inbound message's id, and {@code file:F…} for an uploaded file).
     */
    @Override
    public Delivered deliver(OutboundMessage message) throws DeliveryException {
        MethodsClient methods = this.client;
        if (methods == null) {
            throw new DeliveryException("slack: the connector is not running");
        }
        String text = message.text() == null ? "" : message.text();
        List<String> parts = splitter.split(Mrkdwn.convert(text));
        Sent sent = partsSent.get(message.id()).orElse(new Sent(0, List.of()));
        if (message.file() != null && sent.parts() == 0) {
            String comment = parts.getFirst().isBlank() ? null : parts.getFirst();
            String fileId = files.upload(message.chatId(), message.threadId(), message.file(), message.fileName(),
                    comment);
            sent = sent.next(fileId); // the first part went out as the file's comment
            partsSent.put(message.id(), sent);
        } else if (message.file() == null && text.isBlank()) {
            log.debug("slack: reply {} is empty; nothing to post", message.id());
            return Delivered.NO_IDS;
        }
        for (int i = sent.parts(); i < parts.size(); i++) {
            sent = sent.next(post(methods, message.chatId(), message.threadId(), parts.get(i)));
            partsSent.put(message.id(), sent);
        }
        partsSent.remove(message.id());
        return new Delivered(sent.ids());
    }

    /** Parts of a reply posted so far and the ids Slack gave them. */
    private record Sent(int parts, List<String> ids) {
        Sent next(String id) {
            List<String> more = new ArrayList<>(ids);
            if (id != null) {
                more.add(id);
            }
            return new Sent(parts + 1, List.copyOf(more));
        }
    }

    /** Posts one message; returns {@code channel:ts}, or null when Slack's answer could not be read. */
    private String post(MethodsClient methods, String channel, String threadTs, String text)
            throws DeliveryException {
        var answer = Delivery.once("chat.postMessage to " + channel, answers,
                () -> methods.chatPostMessage(r -> r.channel(channel).threadTs(threadTs).text(text).mrkdwn(true)));
        return answer instanceof ChatPostMessageResponse posted && posted.getTs() != null
                ? SlackInbound.platformMessageId(posted.getChannel() != null ? posted.getChannel() : channel,
                        posted.getTs())
                : null;
    }

    // the turn's status message: posted in the chat (and thread), updated in place, deleted at the end

    @Override
    public String progress(String chatId, String threadId, String text) {
        MethodsClient methods = this.client;
        if (methods == null) {
            return null;
        }
        try {
            var r = methods.chatPostMessage(m -> m.channel(chatId).threadTs(threadId).text(plain(text)));
            if (r.isOk()) {
                return r.getTs();
            }
            log.debug("slack: status message in {} not posted: {}", chatId, r.getError());
        } catch (Exception e) {
            log.debug("slack: status message in {} not posted: {}", chatId, e.toString());
        }
        return null;
    }

    @Override
    public void editProgress(String chatId, String threadId, String handle, String text) {
        MethodsClient methods = this.client;
        if (methods == null) {
            return;
        }
        try {
            var r = methods.chatUpdate(m -> m.channel(chatId).ts(handle).text(plain(text)));
            if (!r.isOk()) {
                log.debug("slack: status message in {} not updated: {}", chatId, r.getError());
            }
        } catch (Exception e) {
            log.debug("slack: status message in {} not updated: {}", chatId, e.toString());
        }
    }

    /** The agent's step as plain text: a quoted {@code <!channel>} or {@code <@U1>} must not ping anyone. */
    static String plain(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    @Override
    public void clearProgress(String chatId, String threadId, String handle) {
        MethodsClient methods = this.client;
        if (methods == null) {
            return;
        }
        try {
            var r = methods.chatDelete(m -> m.channel(chatId).ts(handle));
            if (!r.isOk()) {
                log.debug("slack: status message in {} not deleted: {}", chatId, r.getError());
            }
        } catch (Exception e) {
            log.debug("slack: status message in {} not deleted: {}", chatId, e.toString());
        }
    }

    @Override
    public void working(String chatId, String threadId, boolean busy) {
        working(chatId, threadId, busy, false);
    }

    @Override
    public void working(String chatId, String threadId, boolean busy, boolean failed) {
        Progress p = progress;
        if (p != null) {
            p.working(chatId, threadId, busy, failed); // ❌ instead of ✅ when the turn failed
        }
    }

    @Override
    public synchronized void close() {
        if (socketMode != null) {
            SocketModeClient socket = socketMode.getClient();
            try {
                socketMode.close();
                if (socket != null) {
                    socket.close(); // SocketModeApp leaves the client's reconnect monitor running otherwise
                }
            } catch (Exception e) {
                log.debug("slack: closing Socket Mode: {}", e.toString());
            }
        }
        if (http != null) {
            http.close();
        }
        if (lanes != null) {
            lanes.close();
        }
        try {
            if (slack != null) {
                slack.close();
            }
        } catch (Exception e) {
            log.debug("slack: closing the client: {}", e.toString());
        }
        socketMode = null;
        http = null;
        lanes = null;
        client = null;
        progress = null;
        slack = null;
    }
}
