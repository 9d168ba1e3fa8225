package dev.claw4j.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.request.files.FilesCompleteUploadExternalRequest.FileDetails;
import com.slack.api.model.File;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.Attachment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files in both directions. Inbound: a file shared with a message is fetched from its url_private with the
 * bot token (files:read), up to {@link Attachment#MAX_BYTES}. Outbound: the current three-step upload
 * (files.getUploadURLExternal, the bytes to the URL it gives, files.completeUploadExternal into the thread).
 */
final class SlackFiles {
    private static final Logger log = LoggerFactory.getLogger(SlackFiles.class);

    private final MethodsClient client;
    private final OkHttpClient http;
    private final String botToken;

    SlackFiles(MethodsClient client, OkHttpClient http, String botToken) {
        this.client = client;
        this.http = http;
        this.botToken = botToken;
    }

    /** A file downloaded, or the reason it was not (said in the message text instead). */
    record Fetched(Attachment attachment, String note) {}

    Fetched download(File file) {
        String name = file.getName() != null ? file.getName() : file.getTitle() != null ? file.getTitle() : file.getId();
        if (file.getSize() != null && file.getSize() > Attachment.MAX_BYTES) {
            return new Fetched(null, tooLarge(name, file.getSize()));
        }
        String url = file.getUrlPrivateDownload() != null ? file.getUrlPrivateDownload() : file.getUrlPrivate();
        if (url == null) {
            return new Fetched(null, "[file " + name + " could not be fetched: Slack gave no download link]");
        }
        Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + botToken).get().build();
        try (Response response = http.newCall(request).execute()) {
            String type = response.header("Content-Type", "");
            // Without files:read Slack answers 200 with its sign-in page instead of the file.
            if (!response.isSuccessful() || type.startsWith("text/html") && !"text/html".equals(file.getMimetype())) {
                log.warn("slack: downloading file {} failed (HTTP {}, {}); is the files:read scope granted?", name,
                        response.code(), type);
                return new Fetched(null, "[file " + name + " could not be fetched from Slack]");
            }
            try (InputStream in = response.body().byteStream()) {
                byte[] bytes = in.readNBytes(Attachment.MAX_BYTES + 1);
                if (bytes.length > Attachment.MAX_BYTES) {
                    return new Fetched(null, tooLarge(name, bytes.length));
                }
                return new Fetched(new Attachment(name, file.getMimetype(), bytes), null);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("slack: downloading file {} failed: {}", name, e.toString());
            return new Fetched(null, "[file " + name + " could not be fetched from Slack]");
        }
    }

    private static String tooLarge(String name, long size) {
        return "[file " + name + " (" + (size >> 20) + " MB) was not fetched: files over "
                + (Attachment.MAX_BYTES >> 20) + " MB are not accepted]";
    }

    /** Uploads {@code file} into the channel's thread with {@code comment} (mrkdwn, may be null). */
    void upload(String channel, String threadTs, Path file, String fileName, String comment) throws DeliveryException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            // the host's copy is gone: no retry will bring it back
            throw new DeliveryException("slack: the file to send is not readable: " + e.getMessage(), null, true, e);
        }
        try {
            var url = client.filesGetUploadURLExternal(r -> r.filename(fileName).length(bytes.length));
            if (!url.isOk()) {
                throw SlackFailure.of("files.getUploadURLExternal", url);
            }
            Request put = new Request.Builder().url(url.getUploadUrl())
                    .post(RequestBody.create(bytes, MediaType.parse("application/octet-stream"))).build();
            try (Response response = http.newCall(put).execute()) {
                if (!response.isSuccessful()) {
                    throw new DeliveryException("slack: uploading " + fileName + " failed with HTTP " + response.code(),
                            response.code() == 429 ? SlackFailure.seconds(response.header("Retry-After")) : null,
                            false, null);
                }
            }
            var done = client.filesCompleteUploadExternal(r -> r
                    .files(List.of(FileDetails.builder().id(url.getFileId()).title(fileName).build()))
                    .channelId(channel).threadTs(threadTs).initialComment(comment));
            if (!done.isOk()) {
                throw SlackFailure.of("files.completeUploadExternal", done);
            }
        } catch (SlackApiException e) {
            throw SlackFailure.of("uploading " + fileName, e);
        } catch (IOException e) {
            throw SlackFailure.of("uploading " + fileName, e);
        }
    }
}
