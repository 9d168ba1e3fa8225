package dev.claw4j.core.llm;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class PicturesTest {
    private final Pictures pictures = new Pictures();

    static byte[] image(String format, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, width / 2, height / 2);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("a writer for " + format).isTrue();
        return out.toByteArray();
    }

    /** A png of random pixels: it does not compress, so a few megapixels are many megabytes. */
    static byte[] noise(int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt());
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    @Test
    void theFormatComesFromTheMagicBytesNotTheName() throws IOException {
        assertThat(Pictures.sniff(image("png", 4, 4))).isEqualTo("image/png");
        assertThat(Pictures.sniff(image("jpeg", 4, 4))).isEqualTo("image/jpeg");
        assertThat(Pictures.sniff(image("gif", 4, 4))).isEqualTo("image/gif");
        assertThat(Pictures.sniff("RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1))).isEqualTo("image/webp");
        assertThat(Pictures.sniff("RIFF\0\0\0\0WAVEfmt ".getBytes(StandardCharsets.ISO_8859_1))).isNull();
        assertThat(Pictures.sniff("just text, called photo.jpg".getBytes(StandardCharsets.UTF_8))).isNull();
        assertThat(Pictures.sniff(new byte[] {(byte) 0xFF, (byte) 0xD8})).as("too short").isNull();
        assertThat(Pictures.sniff(new byte[0])).isNull();
    }

    @Test
    void aSmallImageGoesAsItIs() throws IOException {
        byte[] png = image("png", 300, 200);
        assertThat(pictures.prepare(png)).isInstanceOfSatisfying(Pictures.Ready.class, r -> {
            assertThat(r.image().mimeType()).isEqualTo("image/png");
            assertThat(r.image().data()).isEqualTo(png);
        });
    }

    @Test
    void aLargeImageIsDownscaledToTheMaximumSideKeepingItsShape() throws IOException {
        byte[] jpeg = image("jpeg", 4000, 3000);
        Pictures.Ready ready = (Pictures.Ready) pictures.prepare(jpeg);
        assertThat(ready.image().mimeType()).isEqualTo("image/jpeg");
        BufferedImage out = ImageIO.read(new ByteArrayInputStream(ready.image().data()));
        assertThat(out.getWidth()).isEqualTo(Pictures.MAX_SIDE);
        assertThat(out.getHeight()).isEqualTo(1176); // 3000 * 1568 / 4000
        assertThat(Pictures.sniff(ready.image().data())).isEqualTo("image/jpeg");
    }

    @Test
    void anImageAboveTheCapIsShrunkUntilItFitsOrRefused() throws IOException {
        byte[] big = noise(1200, 1200); // small enough in pixels, over a 1 MiB cap in bytes
        assertThat(big.length).isGreaterThan(1 << 20);
        Pictures capped = new Pictures(Pictures.MAX_SIDE, 1 << 20);
        Pictures.Ready ready = (Pictures.Ready) capped.prepare(big);
        assertThat(ready.image().data().length).isLessThanOrEqualTo(1 << 20);
        assertThat(ready.image().mimeType()).as("re-encoded as jpeg to fit").isEqualTo("image/jpeg");

        Pictures tiny = new Pictures(Pictures.MAX_SIDE, 1000);
        assertThat(tiny.prepare(big)).isInstanceOfSatisfying(Pictures.Refused.class,
                r -> assertThat(r.why()).contains("above the 1000-byte cap"));
    }

    @Test
    void aWebpIsSentAsItIsWhileItFitsTheCap() {
        byte[] webp = "RIFF\0\0\0\0WEBPVP8 some-bytes".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(pictures.prepare(webp)).isInstanceOfSatisfying(Pictures.Ready.class,
                r -> assertThat(r.image().mimeType()).isEqualTo("image/webp"));
        assertThat(new Pictures(Pictures.MAX_SIDE, 10).prepare(webp)).isInstanceOf(Pictures.Refused.class);
    }

    @Test
    void otherFilesAreNotImagesAndBrokenImagesAreRefused() {
        assertThat(pictures.prepare("%PDF-1.7".getBytes(StandardCharsets.US_ASCII))).isInstanceOf(Pictures.NotAnImage.class);
        byte[] broken = {(byte) 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0};
        assertThat(pictures.prepare(broken)).isInstanceOfSatisfying(Pictures.Refused.class,
                r -> assertThat(r.why()).startsWith("could not be read as image/png"));
    }

    @Test
    void aPngClaimingAGiantCanvasIsNotDecoded() throws IOException {
        byte[] png = image("png", 10, 10);
        // IHDR width and height sit at bytes 16..23; claim 60000 x 60000 (the CRC no longer matches, which the
        // reader only checks when it decodes)
        java.nio.ByteBuffer.wrap(png, 16, 8).putInt(60000).putInt(60000);
        assertThat(pictures.prepare(png)).isInstanceOfSatisfying(Pictures.Refused.class,
                r -> assertThat(r.why()).contains("60000x60000"));
    }
}
