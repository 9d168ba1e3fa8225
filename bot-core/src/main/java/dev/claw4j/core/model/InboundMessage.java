package dev.claw4j.core.model;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A message a connector received, in platform-neutral form. {@code platformMessageId} is unique per
 * platform and makes redelivery harmless. {@code threadId} is null outside threads. {@code mentionsBot}
 * is true when the bot was @mentioned or replied to. {@code attachments} are files sent with it.
 */
public record InboundMessage(String platform, String chatId, String threadId, String senderId, String senderName,
                             String text, String platformMessageId, ChatKind kind, boolean mentionsBot,
                             Instant receivedAt, List<Attachment> attachments) {
    public InboundMessage(String platform, String chatId, String threadId, String senderId, String senderName,
                          String text, String platformMessageId, ChatKind kind, boolean mentionsBot,
                          Instant receivedAt) {
        this(platform, chatId, threadId, senderId, senderName, text, platformMessageId, kind, mentionsBot,
                receivedAt, List.of());
    }

    public InboundMessage {
        attachments = attachments == null ? List.of() : List.copyOf(attachments);
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(chatId, "chatId");
        Objects.requireNonNull(senderId, "senderId");
        Objects.requireNonNull(platformMessageId, "platformMessageId");
        Objects.requireNonNull(kind, "kind");
        text = text == null ? "" : text;
        senderName = senderName == null || senderName.isBlank() ? senderId : senderName;
        receivedAt = receivedAt == null ? Instant.now() : receivedAt;
    }
}
