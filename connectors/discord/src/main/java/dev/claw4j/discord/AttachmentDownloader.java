package dev.claw4j.discord;

import dev.claw4j.core.model.Attachment;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.dv8tion.jda.api.entities.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a message's files from Discord's CDN through JDA's own HTTP client, up to
 * {@link Attachment#MAX_BYTES}. A file that is too large or fails to download is left out; the message text
 * then carries a note, so the person and the agent know it was not received.
 */
final class AttachmentDownloader {
    private static final Logger log = LoggerFactory.getLogger(AttachmentDownloader.class);

    private final Duration timeout;

    AttachmentDownloader(Duration timeout) {
        this.timeout = timeout;
    }

    Optional<Attachment> download(Message.Attachment a) {
        if (a.getSize() > Attachment.MAX_BYTES) {
            return Optional.empty();
        }
        try (InputStream in = a.getProxy().download().get(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            // the size Discord states is a claim: read at most one byte past the cap to catch a lie
            byte[] bytes = in.readNBytes(Attachment.MAX_BYTES + 1);
            if (bytes.length > Attachment.MAX_BYTES) {
                return Optional.empty();
            }
            return Optional.of(new Attachment(a.getFileName(), a.getContentType(), bytes));
        } catch (IOException | ExecutionException | TimeoutException e) {
            log.warn("discord: could not download attachment {} ({}): {}", a.getFileName(), a.getId(), e.toString());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** The note put into the text for a file that was not downloaded. */
    static String notDownloaded(Message.Attachment a) {
        if (a.getSize() > Attachment.MAX_BYTES) {
            return "[attachment " + a.getFileName() + " (" + mib(a.getSize()) + " MiB) was not received: files over "
                    + mib(Attachment.MAX_BYTES) + " MiB are not accepted]";
        }
        return "[attachment " + a.getFileName() + " could not be downloaded]";
    }

    private static long mib(long bytes) {
        return (bytes + (1 << 20) - 1) >> 20;
    }
}
