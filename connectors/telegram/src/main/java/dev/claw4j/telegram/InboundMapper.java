package dev.claw4j.telegram;

import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Document;
import org.telegram.telegrambots.meta.api.objects.MessageEntity;
import org.telegram.telegrambots.meta.api.objects.User;
import org.telegram.telegrambots.meta.api.objects.message.Message;
import org.telegram.telegrambots.meta.api.objects.photo.PhotoSize;

/**
 * Turns a Telegram message into the host's {@link InboundMessage}: who, where (chat and forum topic), whether
 * the bot was addressed (a private chat, an @mention, a reply to the bot, a {@code /command@bot}), and the
 * photos and documents that came with it.
 */
final class InboundMapper {
    private static final Logger log = LoggerFactory.getLogger(InboundMapper.class);

    /** Fetches a file's bytes by its file_id; null when it is larger than {@link Attachment#MAX_BYTES}. */
    interface Files {
        byte[] download(String fileId) throws ApiError;
    }

    private final long botId;
    private final Files files;
    private final Pattern mention;
    private final Pattern leadingMention;
    private final Pattern commandForBot;

    InboundMapper(long botId, String botName, Files files) {
        this.botId = botId;
        this.files = files;
        String name = Pattern.quote(botName);
        // "@claw_bot" as a word: not "@claw_botty", not part of an e-mail address
        this.mention = Pattern.compile("(?<![\\w@.])@" + name + "(?!\\w)", Pattern.CASE_INSENSITIVE);
        this.leadingMention = Pattern.compile("^\\s*@" + name + "(?!\\w)[:,]?\\s*", Pattern.CASE_INSENSITIVE);
        this.commandForBot = Pattern.compile("^(/\\w+)@" + name + "(?!\\w)", Pattern.CASE_INSENSITIVE);
    }

    /** The host's message, or empty for what is not a person talking (service messages, other bots, our own). */
    Optional<InboundMessage> map(Message m) {
        User from = m.getFrom();
        if (from == null || Boolean.TRUE.equals(from.getIsBot()) || m.getChat() == null) {
            return Optional.empty();
        }
        String type = m.getChat().getType();
        ChatKind kind;
        if ("private".equals(type)) {
            kind = ChatKind.DIRECT;
        } else if ("group".equals(type) || "supergroup".equals(type)) {
            kind = ChatKind.GROUP;
        } else {
            return Optional.empty(); // channels: nobody to answer
        }
        String text = m.getText() != null ? m.getText() : m.getCaption() != null ? m.getCaption() : "";
        boolean hasFile = m.getDocument() != null || (m.getPhoto() != null && !m.getPhoto().isEmpty());
        if (text.isBlank() && !hasFile) {
            return Optional.empty(); // joins, pins, stickers: nothing to answer
        }
        boolean mentionsBot = kind == ChatKind.GROUP && addressesBot(m, text);
        String clean = clean(text, kind);
        List<Attachment> attachments = List.of();
        if (hasFile && (kind == ChatKind.DIRECT || mentionsBot)) {
            // files in group chatter not meant for the bot are left on Telegram, not copied to the host
            StringBuilder notes = new StringBuilder();
            attachments = attachments(m, notes);
            clean = (clean + notes).strip();
        }
        String chatId = String.valueOf(m.getChat().getId());
        // message_thread_id is a forum topic only when is_topic_message; in other groups it marks reply chains
        String threadId = Boolean.TRUE.equals(m.getIsTopicMessage()) && m.getMessageThreadId() != null
                ? String.valueOf(m.getMessageThreadId()) : null;
        Instant at = m.getDate() == null ? Instant.now() : Instant.ofEpochSecond(m.getDate());
        return Optional.of(new InboundMessage(TelegramConnector.PLATFORM, chatId, threadId,
                String.valueOf(from.getId()), senderName(from), clean, chatId + ":" + m.getMessageId(), kind,
                mentionsBot, at, attachments));
    }

    private boolean addressesBot(Message m, String text) {
        Message replied = m.getReplyToMessage();
        if (replied != null && replied.getFrom() != null && replied.getFrom().getId() == botId
                && !isTopicStart(m, replied)) {
            return true;
        }
        if (mention.matcher(text).find() || commandForBot.matcher(text).find()) {
            return true;
        }
        List<MessageEntity> entities = m.getEntities() != null ? m.getEntities() : m.getCaptionEntities();
        if (entities != null) {
            for (MessageEntity e : entities) {
                // a mention of a user without a username comes as a text_mention carrying the user
                if ("text_mention".equals(e.getType()) && e.getUser() != null && e.getUser().getId() == botId) {
                    return true;
                }
            }
        }
        return false;
    }

    // In forum topics every message "replies" to the topic's first message; that is not a reply to the bot.
    private static boolean isTopicStart(Message m, Message replied) {
        return Boolean.TRUE.equals(m.getIsTopicMessage()) && replied.getMessageId() != null
                && replied.getMessageId().equals(m.getMessageThreadId());
    }

    /** The text the agent gets: in groups without the leading @bot, and /command@bot read as /command. */
    private String clean(String text, ChatKind kind) {
        String out = text;
        if (kind == ChatKind.GROUP) {
            out = leadingMention.matcher(out).replaceFirst("");
        }
        return commandForBot.matcher(out).replaceFirst("$1").strip();
    }

    private List<Attachment> attachments(Message m, StringBuilder notes) {
        List<Attachment> list = new ArrayList<>();
        if (m.getPhoto() != null && !m.getPhoto().isEmpty()) {
            // Telegram sends every size it made; the largest is the original
            PhotoSize largest = m.getPhoto().stream()
                    .max(Comparator.comparingLong(p -> (long) nz(p.getWidth()) * nz(p.getHeight()))).orElseThrow();
            fetch(largest.getFileId(), "photo-" + m.getMessageId() + ".jpg", "image/jpeg",
                    largest.getFileSize() == null ? null : largest.getFileSize().longValue(), list, notes);
        }
        Document d = m.getDocument();
        if (d != null) {
            fetch(d.getFileId(), d.getFileName() == null ? "document-" + m.getMessageId() : d.getFileName(),
                    d.getMimeType(), d.getFileSize(), list, notes);
        }
        return list;
    }

    private void fetch(String fileId, String name, String mime, Long size, List<Attachment> list, StringBuilder notes) {
        if (size != null && size > Attachment.MAX_BYTES) {
            notes.append(tooLarge(name));
            return;
        }
        try {
            byte[] bytes = files.download(fileId);
            if (bytes == null) {
                notes.append(tooLarge(name));
            } else {
                list.add(new Attachment(name, mime, bytes));
            }
        } catch (ApiError e) {
            log.warn("telegram: could not download {}: {}", name, e.getMessage());
            notes.append("\n[").append(name).append(" could not be downloaded from Telegram; ask to send it again]");
        }
    }

    private static String tooLarge(String name) {
        return "\n[" + name + " was not saved: it is larger than " + (Attachment.MAX_BYTES >> 20)
                + " MiB, the most a bot can download]";
    }

    private static String senderName(User u) {
        String name = u.getFirstName() == null ? "" : u.getFirstName();
        if (u.getUserName() != null && !u.getUserName().isBlank()) {
            name = name.isBlank() ? "@" + u.getUserName() : name + " (@" + u.getUserName() + ")";
        }
        return name;
    }

    private static int nz(Integer i) {
        return i == null ? 0 : i;
    }
}
