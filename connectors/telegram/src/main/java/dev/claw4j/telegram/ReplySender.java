package dev.claw4j.telegram;

import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.OutboundMessage;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.methods.ParseMode;
import org.telegram.telegrambots.meta.api.methods.send.SendDocument;
import org.telegram.telegrambots.meta.api.methods.send.SendMessage;
import org.telegram.telegrambots.meta.api.objects.InputFile;
import org.telegram.telegrambots.meta.api.objects.LinkPreviewOptions;
import org.telegram.telegrambots.meta.api.objects.ReplyParameters;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * Delivers one reply: Markdown rendered as Telegram HTML, split into parts of at most 4096 characters, the
 * first part replying to the message it answers in group chats, all parts in the forum topic it came from.
 * A part Telegram cannot parse is sent again as plain text. When a part fails (429, 5xx), the parts already
 * sent are remembered, so the outbox's retry continues where it stopped instead of repeating them. A part
 * Telegram answered with 2xx is sent, even when the answer cannot be read.
 */
final class ReplySender {
    private static final Logger log = LoggerFactory.getLogger(ReplySender.class);
    /** Telegram's limit on a document caption. */
    static final int CAPTION_LIMIT = 1024;

    private final BotApi api;
    /** outbox id → the parts sent so far and the ids Telegram gave them, for a retry after a later part failed. */
    private final Map<Long, Sent> partsSent = new ConcurrentHashMap<>();

    private record Sent(int parts, List<String> ids) {}

    ReplySender(BotApi api) {
        this.api = api;
    }

    /** A sendMessage answer as Telegram gives it, read once at start-up by {@link #warmUp()}. */
    private static final String CANNED_ANSWER = "{\"ok\":true,\"result\":{\"message_id\":1,\"from\":{\"id\":1,"
            + "\"is_bot\":true,\"first_name\":\"bot\"},\"chat\":{\"id\":1,\"type\":\"private\"},\"date\":0,"
            + "\"text\":\".\"}}";

    /**
     * Reads one canned sendMessage answer so the first real one is read at once. In a fresh JVM the library's first
     * reading of a Message takes up to a second (measured: 950 ms on a busy 2-core machine, then 13 ms, then
     * 0.5 ms), and a reply Telegram took in that second is not yet marked delivered: a host killed then sends it
     * again after its restart (KillWindowIT saw one reply go out four times across restarts).
     */
    static void warmUp() {
        try {
            SendMessage.builder().chatId("1").text(".").build().deserializeResponse(CANNED_ANSWER);
        } catch (Exception | LinkageError e) {
            log.debug("telegram: warming up the reading of answers failed: {}", e.toString());
        }
    }

    /** Sends the reply's parts; returns the ids ({@code chat:message_id}) of the messages Telegram made. */
    Delivered deliver(OutboundMessage m) throws DeliveryException {
        List<Step> steps = steps(m);
        try {
            Sent sent = partsSent.getOrDefault(m.id(), new Sent(0, List.of()));
            for (int i = sent.parts(); i < steps.size(); i++) {
                Message made = sendOnce(m, i, steps.get(i));
                List<String> ids = new ArrayList<>(sent.ids());
                if (made != null && made.getMessageId() != null) {
                    ids.add(m.chatId() + ":" + made.getMessageId());
                }
                sent = new Sent(i + 1, List.copyOf(ids));
                partsSent.put(m.id(), sent);
            }
            partsSent.remove(m.id());
            return new Delivered(sent.ids());
        } catch (ApiError e) {
            if (e.isPermanent()) {
                partsSent.remove(m.id()); // the outbox gives up on it
            }
            throw e.toDelivery();
        }
    }

    /**
     * A 2xx from Telegram means the part was delivered, whatever its body: when the answer cannot be read (the
     * library fails on it) the part still counts as sent, since sending it again would post it twice. Its
     * message id is then unknown.
     */
    private static Message sendOnce(OutboundMessage m, int part, Step step) throws ApiError, DeliveryException {
        try {
            return step.send();
        } catch (ApiError e) {
            if (!e.accepted()) {
                throw e;
            }
            log.warn("telegram: part {} of reply {} to chat {} was accepted but Telegram's answer could not be read "
                    + "({}); counting it as delivered, its message id is unknown", part + 1, m.id(), m.chatId(),
                    e.getMessage());
            return null;
        }
    }

    /** One Bot API call of a reply; returns the message Telegram made. */
    private interface Step {
        Message send() throws ApiError, DeliveryException;
    }

    /** The file (with the text as caption when it fits), then the text's parts; only the first one replies. */
    private List<Step> steps(OutboundMessage m) {
        Integer thread = parseIntOrNull(m.threadId());
        ReplyParameters replyTo = replyTo(m);
        String text = m.text() == null ? "" : m.text().strip();
        List<Step> steps = new ArrayList<>();
        boolean captioned = m.file() != null && text.length() <= CAPTION_LIMIT;
        if (m.file() != null) {
            steps.add(() -> sendFile(m, thread, replyTo, captioned ? text : ""));
        }
        if (!captioned && !text.isEmpty()) {
            for (MessageSplitter.Part part : MessageSplitter.forTelegram(text)) {
                ReplyParameters quote = steps.isEmpty() ? replyTo : null;
                steps.add(() -> sendPart(m.chatId(), thread, quote, part));
            }
        }
        return steps;
    }

    private Message sendPart(String chatId, Integer thread, ReplyParameters replyTo, MessageSplitter.Part part)
            throws ApiError {
        try {
            return api.call(message(chatId, thread, replyTo, part.html(), ParseMode.HTML));
        } catch (ApiError e) {
            if (!e.isParseError()) {
                throw e;
            }
            // our HTML should always parse; if Telegram disagrees, the words still matter more than the looks
            log.warn("telegram: HTML refused ({}); sending this part as plain text", e.getMessage());
            return api.call(message(chatId, thread, replyTo, part.markdown(), null));
        }
    }

    private static SendMessage message(String chatId, Integer thread, ReplyParameters replyTo, String text,
                                       String parseMode) {
        return SendMessage.builder().chatId(chatId).messageThreadId(thread).replyParameters(replyTo)
                .text(text).parseMode(parseMode)
                // link previews of whatever URL an answer mentions are noise in a chat with an agent
                .linkPreviewOptions(LinkPreviewOptions.builder().isDisabled(true).build())
                .build();
    }

    private Message sendFile(OutboundMessage m, Integer thread, ReplyParameters replyTo, String caption)
            throws ApiError, DeliveryException {
        if (!Files.isReadable(m.file())) {
            throw new DeliveryException("telegram: the file to send is gone: " + m.file(), null, true, null);
        }
        String html = caption.isBlank() ? null : TelegramHtml.render(caption);
        SendDocument.SendDocumentBuilder<?, ?> send = SendDocument.builder().chatId(m.chatId())
                .messageThreadId(thread).replyParameters(replyTo)
                .document(new InputFile(m.file().toFile(), m.fileName()));
        if (html != null && html.length() <= CAPTION_LIMIT) {
            send.caption(html).parseMode(ParseMode.HTML);
        } else if (!caption.isBlank()) {
            send.caption(caption);
        }
        try {
            return api.sendDocument(send.build());
        } catch (ApiError e) {
            if (!e.isParseError() || html == null) {
                throw e;
            }
            return api.sendDocument(send.caption(caption).parseMode(null).build());
        }
    }

    /** In group chats a reply quotes the message it answers; in a private chat that would only be clutter. */
    private static ReplyParameters replyTo(OutboundMessage m) {
        if (m.inReplyTo() == null || !m.chatId().startsWith("-")) {
            return null; // private chats have positive ids, groups and supergroups negative ones
        }
        int colon = m.inReplyTo().lastIndexOf(':');
        Integer messageId = parseIntOrNull(colon < 0 ? m.inReplyTo() : m.inReplyTo().substring(colon + 1));
        if (messageId == null) {
            return null;
        }
        // the message may have been deleted meanwhile: answer anyway rather than fail
        return ReplyParameters.builder().messageId(messageId).allowSendingWithoutReply(true).build();
    }

    private static Integer parseIntOrNull(String s) {
        if (s == null) {
            return null;
        }
        try {
            return Integer.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
