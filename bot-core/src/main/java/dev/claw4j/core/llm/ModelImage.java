package dev.claw4j.core.llm;

/**
 * An image the host shows the model with a turn's user message: bytes the host holds (never a path an agent
 * named), already checked by {@link Pictures}, and their mime type as the magic bytes say.
 */
public record ModelImage(String mimeType, byte[] data) {
    public ModelImage {
        if (mimeType == null || data == null || data.length == 0) {
            throw new IllegalArgumentException("an image for the model needs a mime type and bytes");
        }
    }

    /** Never prints the bytes: images end up in logs through the records that carry them. */
    @Override
    public String toString() {
        return "ModelImage[" + mimeType + ", " + data.length + " bytes]";
    }
}
