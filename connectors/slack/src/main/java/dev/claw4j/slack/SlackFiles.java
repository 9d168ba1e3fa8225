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
import java.util.function.Consumer;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files in both directions. Inbound: a file shared with a message is fetched from its url_private with the
 * bot token (files:read), up to {@link Attachment#MAX_BYTES}, and only from Slack: the link comes inside the
 * event (a remote file's url_private points wherever its creator said), so before the token goes anywhere the
 * host is checked, on every redirect too ({@link #tokenMayGoTo}). Outbound: the current three-step upload
 * (files.getUploadURLExternal, the bytes to the URL it gives, files.completeUploadExternal into the thread).
 */
final class SlackFiles {
    private static final Logger log = LoggerFactory.getLogger(SlackFiles.class);
    private static final int MAX_REDIRECTS = 3;

    private final MethodsClient client;
    private final OkHttpClient http;
    /** The same client, but redirects are followed here, each one checked before the token goes along. */
    private final OkHttpClient downloads;
    private final String botToken;
    private final HttpUrl api;
    private final Consumer<String> onRefused;
    private final AnswerStatus answers;

    /**
     * @param api       the Web API base the client is configured with: its origin (and Slack's own hosts) may
     *                  receive the token; tests point it at a loopback fake
     * @param onRefused told about every file that was not fetched because of where it pointed (audit trail)
     */
    SlackFiles(MethodsClient client, OkHttpClient http, String botToken, String api, Consumer<String> onRefused,
               AnswerStatus answers) {
        this.client = client;
        this.http = http;
        this.downloads = http.newBuilder().followRedirects(false).followSslRedirects(false).build();
        this.botToken = botToken;
        this.api = HttpUrl.get(api);
        this.onRefused = onRefused;
        this.answers = answers;
    }

    /** A file downloaded, or the reason it was not (said in the message text instead). */
    record Fetched(Attachment attachment, String note) {}

    /**
     * Whether the bot token may be sent to {@code url}: Slack's own hosts over https on the standard port
     * ({@code files.slack.com}, where url_private points today; {@code slack.com}, where it pointed before; the
     * same under {@code slack-gov.com} for GovSlack), or exactly the origin (scheme, host and port) of the
     * configured Web API, which already receives the token with every call. Never a URL with a user name.
     */
    static boolean tokenMayGoTo(HttpUrl url, HttpUrl api) {
        if (!url.username().isEmpty() || !url.password().isEmpty()) {
            return false;
        }
        if (url.scheme().equals(api.scheme()) && url.host().equals(api.host()) && url.port() == api.port()) {
            return true;
        }
        return url.isHttps() && url.port() == 443 && (isUnder(url.host(), "slack.com") || isUnder(url.host(), "slack-gov.com"));
    }

    private static boolean isUnder(String host, String domain) {
        return host.equals(domain) || host.endsWith("." + domain);
    }

    /** Fetches a file a person shared; {@code sharedBy} says who and where, for the audit trail. */
    Fetched download(File file, String sharedBy) {
        String name = file.getName() != null ? file.getName() : file.getTitle() != null ? file.getTitle() : file.getId();
        if (file.getSize() != null && file.getSize() > Attachment.MAX_BYTES) {
            return new Fetched(null, tooLarge(name, file.getSize()));
        }
        String link = file.getUrlPrivateDownload() != null ? file.getUrlPrivateDownload() : file.getUrlPrivate();
        if (link == null) {
            return new Fetched(null, "[file " + name + " could not be fetched: Slack gave no download link]");
        }
        HttpUrl url = HttpUrl.parse(link);
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            if (url == null || !tokenMayGoTo(url, api)) {
                return refuse(file, name, url, sharedBy, hop > 0);
            }
            Request request = new Request.Builder().url(url).header("Authorization", "Bearer " + botToken).get().build();
            try (Response response = downloads.newCall(request).execute()) {
                if (response.isRedirect()) {
                    String location = response.header("Location");
                    url = location == null ? null : url.resolve(location);
                    continue;
                }
                return read(file, name, response);
            } catch (IOException | RuntimeException e) {
                log.warn("slack: downloading file {} failed: {}", name, e.toString());
                return new Fetched(null, "[file " + name + " could not be fetched from Slack]");
            }
        }
        log.warn("slack: downloading file {} failed: more than {} redirects", name, MAX_REDIRECTS);
        return new Fetched(null, "[file " + name + " could not be fetched from Slack]");
    }

    private Fetched read(File file, String name, Response response) throws IOException {
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
    }

    /** A link (or a redirect) off Slack: not followed, the token stays home, and the audit trail hears of it. */
    private Fetched refuse(File file, String name, HttpUrl url, String sharedBy, boolean redirected) {
        String where = url == null ? "an unreadable URL" : url.scheme() + "://" + url.host() + ":" + url.port();
        String what = "file " + file.getId() + " (" + name + ") shared by " + sharedBy + ": its "
                + (redirected ? "download redirected to " : "link points to ") + where
                + ", which is not Slack; not fetched, the bot token was not sent";
        log.warn("slack: {}", what);
        onRefused.accept(what);
        return new Fetched(null, "[file " + name + " was not fetched: its link points outside Slack]");
    }

    private static String tooLarge(String name, long size) {
        return "[file " + name + " (" + (size >> 20) + " MB) was not fetched: files over "
                + (Attachment.MAX_BYTES >> 20) + " MB are not accepted]";
    }

    /**
     * Uploads {@code file} into the channel's thread with {@code comment} (mrkdwn, may be null); returns Slack's
     * id of the file ({@code file:F…}).
     */
    String upload(String channel, String threadTs, Path file, String fileName, String comment) throws DeliveryException {
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
            // this call shares the file into the thread: from here a 2xx means delivered, whatever its body
            Delivery.once("files.completeUploadExternal of " + fileName + " to " + channel, answers,
                    () -> client.filesCompleteUploadExternal(r -> r
                            .files(List.of(FileDetails.builder().id(url.getFileId()).title(fileName).build()))
                            .channelId(channel).threadTs(threadTs).initialComment(comment)));
            return url.getFileId() == null ? null : "file:" + url.getFileId();
        } catch (SlackApiException e) {
            throw SlackFailure.of("uploading " + fileName, e);
        } catch (IOException e) {
            throw SlackFailure.of("uploading " + fileName, e);
        }
    }
}
