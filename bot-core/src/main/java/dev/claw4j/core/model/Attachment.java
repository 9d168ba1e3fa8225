package dev.claw4j.core.model;

/**
 * A file a person sent with a message, already downloaded by the connector. The host saves it into the
 * group's folder ({@code inbox/}) once the message is routed, and names it in the text the agent gets.
 */
public record Attachment(String fileName, String mimeType, byte[] content) {
    /** Files larger than this are refused by connectors with a note in the chat, not downloaded. */
    public static final int MAX_BYTES = 20 << 20;

    public Attachment {
        fileName = fileName == null || fileName.isBlank() ? "file" : fileName;
        mimeType = mimeType == null ? "application/octet-stream" : mimeType;
        content = content == null ? new byte[0] : content;
    }
}
