package dev.claw4j.core.model;

/**
 * A reply waiting in the outbox. {@code id} is the outbox row; {@code inReplyTo} the platform id of the
 * message it answers (connectors thread or quote by it), or null for messages the agent sent on its own.
 */
public record OutboundMessage(long id, String platform, String chatId, String threadId, String text,
                              String inReplyTo) {}
