package dev.claw4j.core.store;

/**
 * A file that came with an inbound message: its sanitised {@code name}, type and size, and the key under which
 * the host keeps its content until it is placed in the group's {@code inbox/}.
 */
public record StoredAttachment(int seq, String name, String mimeType, long sizeBytes, String storedAs) {}
