package dev.claw4j.core.model;

import java.nio.file.Path;

/**
 * A reply waiting in the outbox. {@code id} is the outbox row; {@code inReplyTo} the platform id of the
 * message it answers (connectors thread or quote by it), or null for messages the agent sent on its own.
 * {@code file}, when not null, is a file on the host to upload (a copy the host made of what the agent
 * asked to send, so the agent cannot change it afterwards); {@code text} is then its caption.
 */
public record OutboundMessage(long id, String platform, String chatId, String threadId, String text,
                              String inReplyTo, Path file) {
    public OutboundMessage(long id, String platform, String chatId, String threadId, String text, String inReplyTo) {
        this(id, platform, chatId, threadId, text, inReplyTo, null);
    }

    public String fileName() {
        return file == null ? null : file.getFileName().toString().replaceFirst("^\\d+-", "");
    }
}
