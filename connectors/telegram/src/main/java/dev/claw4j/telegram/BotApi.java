package dev.claw4j.telegram;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.model.Attachment;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.telegram.telegrambots.client.okhttp.OkHttpTelegramClient;
import org.telegram.telegrambots.meta.TelegramUrl;
import org.telegram.telegrambots.meta.api.methods.GetFile;
import org.telegram.telegrambots.meta.api.methods.GetMe;
import org.telegram.telegrambots.meta.api.methods.botapimethods.BotApiMethod;
import org.telegram.telegrambots.meta.api.methods.send.SendDocument;
import org.telegram.telegrambots.meta.api.methods.updates.GetUpdates;
import org.telegram.telegrambots.meta.api.methods.updates.SetWebhook;
import org.telegram.telegrambots.meta.api.objects.File;
import org.telegram.telegrambots.meta.api.objects.Update;
import org.telegram.telegrambots.meta.api.objects.User;
import org.telegram.telegrambots.meta.api.objects.message.Message;

/**
 * The Bot API as the connector uses it, on the Telegram Bots client library (OkHttp). Every failure comes out
 * as an {@link ApiError} that carries the HTTP status of the answer, which the library does not keep: each call
 * goes through a client view that records it, so "Telegram took it, the answer was unreadable" is told apart
 * from "Telegram refused" and "no answer". Long polls run on their own HTTP client, so closing the connector
 * can cancel a poll that is waiting without touching replies in flight.
 */
final class BotApi implements AutoCloseable {
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String token;
    private final String apiUrl;
    private final OkHttpClient http;
    private final OkHttpClient pollHttp;
    private final TelegramUrl url;

    BotApi(TelegramSettings settings) {
        this.token = settings.token();
        this.apiUrl = settings.apiUrl();
        this.http = new OkHttpClient.Builder()
                .callTimeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .build();
        // a long poll legitimately waits pollTimeout for news; allow that plus a margin before giving up
        long pollMillis = settings.pollTimeout().plusSeconds(15).toMillis();
        this.pollHttp = http.newBuilder()
                .dispatcher(new okhttp3.Dispatcher())
                .callTimeout(pollMillis, TimeUnit.MILLISECONDS)
                .readTimeout(pollMillis, TimeUnit.MILLISECONDS)
                .build();
        this.url = telegramUrl(settings.apiUrl());
    }

    /** One library call on a client of its own. */
    private interface Call<T> {
        T run(OkHttpTelegramClient client) throws Exception;
    }

    /**
     * Runs one call on a view of {@code base} (same connections and threads) that notes the HTTP status of the
     * answer; a failure becomes an ApiError that knows it.
     */
    private <T> T execute(OkHttpClient base, String method, Call<T> call) throws ApiError {
        AtomicInteger status = new AtomicInteger();
        OkHttpClient recording = base.newBuilder().addInterceptor(chain -> {
            Response response = chain.proceed(chain.request());
            status.set(response.code());
            return response;
        }).build();
        try {
            return call.run(new OkHttpTelegramClient(MAPPER, recording, token, url));
        } catch (Exception e) {
            throw ApiError.of(method, e, token, status.get());
        }
    }

    static TelegramUrl telegramUrl(String apiUrl) {
        URI uri = URI.create(apiUrl);
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        return new TelegramUrl(uri.getScheme(), uri.getHost(), port, false);
    }

    User getMe() throws ApiError {
        return call(new GetMe());
    }

    List<Update> getUpdates(long offset, Duration timeout) throws ApiError {
        GetUpdates get = GetUpdates.builder().offset((int) offset).limit(100).timeout((int) timeout.toSeconds())
                .allowedUpdates(List.of("message")).build();
        return execute(pollHttp, get.getMethod(), c -> c.execute(get));
    }

    <T extends Serializable> T call(BotApiMethod<T> method) throws ApiError {
        return execute(http, method.getMethod(), c -> c.execute(method));
    }

    /** setWebhook goes as multipart (it may carry a certificate), through its own execute. */
    void setWebhook(SetWebhook set) throws ApiError {
        execute(http, "setWebhook", c -> c.execute(set));
    }

    Message sendDocument(SendDocument send) throws ApiError {
        return execute(http, "sendDocument", c -> c.execute(send));
    }

    /**
     * Downloads a file a person sent: getFile, then {@code <apiUrl>/file/bot<token>/<file_path>}. The library's
     * own download always goes to api.telegram.org, so the download is made here, on the same HTTP client.
     * Returns null when the file is larger than {@link Attachment#MAX_BYTES}.
     */
    byte[] download(String fileId) throws ApiError {
        File file = call(GetFile.builder().fileId(fileId).build());
        if (file.getFileSize() != null && file.getFileSize() > Attachment.MAX_BYTES) {
            return null;
        }
        if (file.getFilePath() == null) {
            throw new ApiError("getFile", 0, 200, "no file_path for the file (it may be too large for the Bot API)",
                    null);
        }
        Request request = new Request.Builder().url(apiUrl + "/file/bot" + token + "/" + file.getFilePath()).get()
                .build();
        try (Response response = http.newCall(request).execute()) {
            if (!response.isSuccessful()) {
                throw new ApiError("file download", 0, response.code(), "HTTP " + response.code()
                        + ": the file could not be downloaded", null);
            }
            try (InputStream in = response.body().byteStream()) {
                byte[] bytes = in.readNBytes(Attachment.MAX_BYTES + 1);
                return bytes.length > Attachment.MAX_BYTES ? null : bytes;
            }
        } catch (IOException e) {
            throw ApiError.of("file download", e, token, 0);
        }
    }

    /** Stops a long poll that is waiting, so closing does not hang for up to a poll timeout. */
    void cancelPolls() {
        pollHttp.dispatcher().cancelAll();
    }

    @Override
    public void close() {
        cancelPolls();
        pollHttp.dispatcher().executorService().shutdown();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
        pollHttp.connectionPool().evictAll();
    }

}
