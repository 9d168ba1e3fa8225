package dev.claw4j.telegram;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.methods.ActionType;
import org.telegram.telegrambots.meta.api.methods.send.SendChatAction;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.DeleteMessage;
import org.telegram.telegrambots.meta.api.methods.updatingmessages.EditMessageText;
import org.telegram.telegrambots.meta.api.methods.updates.DeleteWebhook;
import org.telegram.telegrambots.meta.api.methods.updates.SetWebhook;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.User;

/**
 * Telegram, seen from the host: private chats, groups and forum topics through the Bot API. Updates arrive
 * by long polling (default) or a webhook; replies go out as Telegram HTML, split and threaded.
 */
public final class TelegramConnector implements Connector {
    public static final String PLATFORM = "telegram";

    private static final Logger log = LoggerFactory.getLogger(TelegramConnector.class);
    private static final int START_ATTEMPTS = 3;

    private final TelegramSettings settings;
    private BotApi api;
    private ReplySender replies;
    private TypingIndicator typing;
    private UpdatePoller poller;
    /** Polling only while this says so: with several hosts, while this host holds the polling leader lease. */
    private volatile java.util.function.BooleanSupplier pollWhile = () -> true;
    private Thread pollThread;
    private WebhookServer webhook;
    private volatile InboundMapper mapper;
    private volatile Inbox inbox;

    public TelegramConnector(TelegramSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public String platform() {
        return PLATFORM;
    }

    @Override
    public synchronized void start(Inbox inbox) {
        if (api != null) {
            throw new IllegalStateException("telegram: already started");
        }
        this.inbox = Objects.requireNonNull(inbox, "inbox");
        BotApi started = new BotApi(settings);
        try {
            User me = whoAmI(started);
            String botName = settings.botName() != null ? settings.botName() : me.getUserName();
            if (botName == null) {
                throw new IllegalStateException("telegram: getMe gave no username; set connectors.telegram.botName");
            }
            mapper = new InboundMapper(me.getId(), botName, started::download);
            replies = new ReplySender(started);
            ReplySender.warmUp(); // before any reply: the first answer read cold widens the window for a double
            typing = new TypingIndicator(this::sendTyping, TypingIndicator.REPEAT_MILLIS);
            api = started;
            if (settings.mode() == TelegramSettings.Mode.WEBHOOK) {
                startWebhook();
            } else {
                startPolling(me.getId());
            }
            log.info("telegram: connected as @{} ({}), {}", botName, me.getId(),
                    settings.mode() == TelegramSettings.Mode.WEBHOOK
                            ? "webhook on " + settings.webhookBind() + ":" + webhook.port() + settings.webhookPath()
                            : "long polling");
        } catch (RuntimeException e) {
            closeQuietly(started);
            api = null;
            throw e;
        }
    }

    /** getMe, with a few quick retries for a network hiccup; a refused token is said plainly. */
    private User whoAmI(BotApi api) {
        for (int attempt = 1; ; attempt++) {
            try {
                return api.getMe();
            } catch (ApiError e) {
                if (e.code() == 401 || e.code() == 404) {
                    // Telegram answers 404 to a malformed token and 401 to a revoked one
                    throw new IllegalStateException("telegram: the bot token was refused (" + e.code()
                            + " from getMe); check connectors.telegram.token", e);
                }
                if (e.httpStatus() != 0 && !e.isTransient()) {
                    // something answered, so the network is fine: say what it answered, not "cannot reach"
                    String how = e.code() == 0 ? "answered getMe, but not as the Bot API does" : "refused getMe";
                    throw new IllegalStateException("telegram: the Bot API at " + settings.apiUrl() + " " + how
                            + " (" + e.getMessage() + "); check that connectors.telegram.apiUrl points at a Bot API "
                            + "server", e);
                }
                if (!e.isTransient() || attempt >= START_ATTEMPTS) {
                    throw new IllegalStateException("telegram: cannot reach the Bot API at " + settings.apiUrl()
                            + " (" + e.getMessage() + "); check connectors.telegram.apiUrl and the network", e);
                }
                sleep(e.retryAfter() != null ? e.retryAfter() : UpdatePoller.backoff(attempt));
            }
        }
    }

    private void startPolling(long botId) {
        try {
            // a webhook left from an earlier setup makes getUpdates fail with 409
            api.call(new DeleteWebhook());
        } catch (ApiError e) {
            log.warn("telegram: deleteWebhook failed ({}); polling may be refused while a webhook is set",
                    e.getMessage());
        }
        poller = new UpdatePoller(api, inbox, cursorKey(botId), new OffsetStore(settings.stateDir(), botId),
                settings.pollTimeout(), this::handle, pollWhile);
        pollThread = Thread.ofVirtual().name("telegram-poll").start(poller);
    }

    private void startWebhook() {
        try {
            // no cursor: Telegram pushes each update until it is answered 200, which comes after the commit
            webhook = new WebhookServer(settings, update -> handle(update, null),
                    what -> inbox.refused("telegram", what));
        } catch (IOException e) {
            throw new IllegalStateException("telegram: cannot listen for the webhook on " + settings.webhookBind()
                    + ":" + settings.webhookPort() + " (" + e.getMessage()
                    + "); check connectors.telegram.webhookBind and webhookPort", e);
        }
        try {
            api.setWebhook(SetWebhook.builder().url(settings.webhookUrl()).secretToken(settings.webhookSecret())
                    .allowedUpdates(List.of("message")).build());
        } catch (ApiError e) {
            webhook.close();
            throw new IllegalStateException("telegram: setWebhook failed (" + e.getMessage()
                    + "); check connectors.telegram.webhookUrl", e);
        }
    }

    /** Where this bot's getUpdates offset is kept in the host's store ({@code connector_cursors}). */
    static String cursorKey(long botId) {
        return PLATFORM + ":" + botId;
    }

    /**
     * One update from either source: a message is stored by the host, with the polling cursor in the same
     * transaction; for everything else (edits, reactions, member changes) only the cursor moves.
     */
    private void handle(Update update, Cursor cursor) {
        Optional<InboundMessage> message = update.getMessage() == null ? Optional.empty()
                : mapper.map(update.getMessage());
        if (message.isPresent()) {
            if (cursor == null) {
                inbox.receive(message.get());
            } else {
                inbox.receive(message.get(), cursor);
            }
        } else if (cursor != null) {
            inbox.advance(cursor);
        }
    }

    @Override
    public Delivered deliver(OutboundMessage message) throws DeliveryException {
        ReplySender sender = replies;
        if (sender == null) {
            throw new DeliveryException("telegram: the connector is not running");
        }
        return sender.deliver(message);
    }

    @Override
    public void working(String chatId, String threadId, boolean busy) {
        TypingIndicator t = typing;
        if (t != null) {
            t.working(chatId, threadId, busy);
        }
    }

    // the turn's status message: a plain message (no notification), edited in place, deleted at the end

    @Override
    public String progress(String chatId, String threadId, String text) {
        BotApi a = api;
        if (a == null) {
            return null;
        }
        try {
            SendMessage send = SendMessage.builder().chatId(chatId).text(text).disableNotification(true).build();
            if (threadId != null) {
                send.setMessageThreadId(Integer.valueOf(threadId));
            }
            return String.valueOf(a.call(send).getMessageId());
        } catch (ApiError | RuntimeException e) {
            log.debug("telegram: status message in {} not sent: {}", chatId, e.getMessage());
            return null;
        }
    }

    @Override
    public void editProgress(String chatId, String threadId, String handle, String text) {
        BotApi a = api;
        if (a == null) {
            return;
        }
        try {
            a.call(EditMessageText.builder().chatId(chatId).messageId(Integer.valueOf(handle)).text(text).build());
        } catch (ApiError | RuntimeException e) {
            log.debug("telegram: status message in {} not edited: {}", chatId, e.getMessage());
        }
    }

    @Override
    public void clearProgress(String chatId, String threadId, String handle) {
        BotApi a = api;
        if (a == null) {
            return;
        }
        try {
            a.call(DeleteMessage.builder().chatId(chatId).messageId(Integer.valueOf(handle)).build());
        } catch (ApiError | RuntimeException e) {
            log.debug("telegram: status message in {} not removed: {}", chatId, e.getMessage());
        }
    }

    private void sendTyping(String chatId, String threadId) {
        try {
            SendChatAction action = SendChatAction.builder().chatId(chatId).action(ActionType.TYPING.toString())
                    .build();
            if (threadId != null) {
                action.setMessageThreadId(Integer.valueOf(threadId));
            }
            api.call(action);
        } catch (ApiError | RuntimeException e) {
            log.debug("telegram: typing indicator for {} failed: {}", chatId, e.getMessage());
        }
    }

    /**
     * Long polling runs only while {@code gate} says so (checked before every getUpdates); set before {@link #start}.
     * Several hosts on one database poll one at a time this way; webhooks need none (any host may take a call).
     */
    public void pollOnlyWhile(java.util.function.BooleanSupplier gate) {
        this.pollWhile = java.util.Objects.requireNonNull(gate, "gate");
    }

    /** Whether this connector long-polls (rather than taking webhook calls). */
    public boolean polls() {
        return settings.mode() != TelegramSettings.Mode.WEBHOOK;
    }

    /** The port the webhook listens on (webhook mode), for tests and logs. */
    public int webhookPort() {
        return webhook == null ? -1 : webhook.port();
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.stop();
        }
        if (api != null) {
            api.cancelPolls();
        }
        if (pollThread != null) {
            pollThread.interrupt();
            try {
                pollThread.join(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (webhook != null) {
            webhook.close();
        }
        if (typing != null) {
            typing.close();
        }
        if (api != null) {
            closeQuietly(api);
        }
        api = null;
        replies = null;
        typing = null;
    }

    private static void closeQuietly(BotApi api) {
        try {
            api.close();
        } catch (RuntimeException e) {
            log.debug("telegram: closing the client: {}", e.toString());
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("telegram: start-up interrupted", e);
        }
    }
}
