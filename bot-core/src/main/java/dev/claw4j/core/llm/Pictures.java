package dev.claw4j.core.llm;

import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Turns a file a person sent into an image the model may see, or says why not. The format is taken from the
 * magic bytes, never from the name or the mime type the platform claimed: png, jpeg, gif and webp only.
 * Images whose longer side is above {@link #MAX_SIDE} are downscaled (to jpeg, or png when the source was png
 * and the result fits); whatever is still above {@link #MAX_BYTES} is refused. Webp passes as it is (the JDK
 * cannot decode it), so only while it fits the cap.
 */
public final class Pictures {
    /** The longest side a model is sent; larger images cost tokens without helping most models. */
    public static final int MAX_SIDE = 1568;
    /** The most bytes of one image sent to the model, after downscaling. */
    public static final int MAX_BYTES = 5 * 1024 * 1024;
    /**
     * The most pictures, and bytes of pictures, one turn shows the model: they go with every call of the turn, and
     * providers refuse large requests (Anthropic at 32 MB, base64 adds a third).
     */
    public static final int MAX_PER_TURN = 8;
    public static final long MAX_TURN_BYTES = 15L * 1024 * 1024;
    /** Larger images are not decoded at all: a few bytes of png can claim a gigapixel canvas. */
    static final long MAX_PIXELS = 100_000_000L;

    /** What became of a file. */
    public sealed interface Outcome {}

    /** The image to send. */
    public record Ready(ModelImage image) implements Outcome {}

    /** Not an image format the model takes (by its magic bytes). */
    public record NotAnImage() implements Outcome {}

    /** An image, but it cannot be sent; {@code why} reads well after "the image ". */
    public record Refused(String why) implements Outcome {}

    private final int maxSide;
    private final int maxBytes;

    public Pictures() {
        this(MAX_SIDE, MAX_BYTES);
    }

    Pictures(int maxSide, int maxBytes) {
        this.maxSide = maxSide;
        this.maxBytes = maxBytes;
    }

    /** The mime type the magic bytes say, or null when it is none of png, jpeg, gif, webp. */
    public static String sniff(byte[] b) {
        if (b == null) {
            return null;
        }
        if (starts(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return "image/png";
        }
        if (starts(b, 0, 0xFF, 0xD8, 0xFF)) {
            return "image/jpeg";
        }
        if (starts(b, 0, 'G', 'I', 'F', '8', '7', 'a') || starts(b, 0, 'G', 'I', 'F', '8', '9', 'a')) {
            return "image/gif";
        }
        if (starts(b, 0, 'R', 'I', 'F', 'F') && starts(b, 8, 'W', 'E', 'B', 'P')) {
            return "image/webp";
        }
        return null;
    }

    public Outcome prepare(byte[] content) {
        String mime = sniff(content);
        if (mime == null) {
            return new NotAnImage();
        }
        if (mime.equals("image/webp")) {
            return content.length <= maxBytes ? new Ready(new ModelImage(mime, content))
                    : new Refused("is a webp of " + content.length + " bytes, above the " + maxBytes
                    + "-byte cap, and webp cannot be downscaled here; send it as png or jpeg");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(content))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return new Refused("could not be read as " + mime);
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if ((long) width * height > MAX_PIXELS) {
                    return new Refused("is " + width + "x" + height + " pixels, too large to read");
                }
                int side = Math.max(width, height);
                if (side <= maxSide && content.length <= maxBytes) {
                    return new Ready(new ModelImage(mime, content));
                }
                ImageReadParam param = reader.getDefaultReadParam();
                // read every n-th pixel first, so a big photo never sits in memory at full size
                int step = Math.max(1, side / maxSide);
                param.setSourceSubsampling(step, step, 0, 0);
                BufferedImage read = reader.read(0, param);
                return encode(downscale(read), mime);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return new Refused("could not be read as " + mime + " (" + e.getMessage() + ")");
        }
    }

    private BufferedImage downscale(BufferedImage src) {
        int side = Math.max(src.getWidth(), src.getHeight());
        double scale = side <= maxSide ? 1.0 : (double) maxSide / side;
        int w = Math.max(1, (int) Math.round(src.getWidth() * scale));
        int h = Math.max(1, (int) Math.round(src.getHeight() * scale));
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        var g = out.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setColor(java.awt.Color.WHITE); // transparent parts become white, not black, in a jpeg
            g.fillRect(0, 0, w, h);
            g.drawImage(src, 0, 0, w, h, null);
        } finally {
            g.dispose();
        }
        return out;
    }

    private Outcome encode(BufferedImage image, String sourceMime) throws IOException {
        if (sourceMime.equals("image/png")) {
            byte[] png = write(image, "png", null);
            if (png.length <= maxBytes) {
                return new Ready(new ModelImage("image/png", png));
            }
        }
        for (float quality : new float[] {0.85f, 0.6f, 0.4f}) {
            byte[] jpeg = write(image, "jpeg", quality);
            if (jpeg.length <= maxBytes) {
                return new Ready(new ModelImage("image/jpeg", jpeg));
            }
        }
        return new Refused("is still above the " + maxBytes + "-byte cap after downscaling");
    }

    private static byte[] write(BufferedImage image, String format, Float quality) throws IOException {
        ImageWriter writer = ImageIO.getImageWritersByFormatName(format).next();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
            writer.setOutput(out);
            ImageWriteParam param = writer.getDefaultWriteParam();
            if (quality != null) {
                param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                param.setCompressionQuality(quality);
            }
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    private static boolean starts(byte[] b, int at, int... magic) {
        if (b.length < at + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[at + i] & 0xFF) != magic[i]) {
                return false;
            }
        }
        return true;
    }

}
