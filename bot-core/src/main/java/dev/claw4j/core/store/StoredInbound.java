package dev.claw4j.core.store;

import java.time.Instant;

/** An inbound message as stored, waiting for or in its agent's turn. */
public record StoredInbound(long id, String groupId, String platform, String chatId, String threadId,
                            String senderId, String senderName, String text, String platformMessageId,
                            Instant receivedAt) {}
