package dev.claw4j.discord;

import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.OutboundMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.UUID;
import net.dv8tion.jda.api.utils.data.DataArray;
import net.dv8tion.jda.api.utils.data.DataObject;

/**
 * Posts reply parts by channel id over Discord's REST API ({@code POST channels/{id}/messages} with the bot token),
 * for a channel JDA's cache does not hold: another host's shard serves its server (the group moved here in a
 * takeover), or a DM from before a restart. JDA has no public call that sends without a cached channel.
 *
 * <p>The body is what {@link Replies} sends through JDA: no mentions allowed, the first part a reply that does not
 * fail when the message is gone, and the part's nonce with {@code enforce_nonce}, so a part repeated after a lost
 * answer is not posted twice. JDA's rate limiter does not see these calls: a 429 is a failed attempt that the outbox
 * retries after Discord's {@code retry_after}.
 */
final class RestChannels {
    private final HttpClient http;
    private final String restUrl;
    private final String token;
    private final Duration timeout;

    RestChannels(String restUrl, String token, Duration timeout) {
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
        this.restUrl = restUrl;
        this.token = token;
        this.timeout = timeout;
    }

    /** A {@link Replies.PartSender} into channel {@code channelId}. */
    Replies.PartSender into(String channelId) {
        return (content, nonce, replyTo, m, withFile, part) -> post(channelId, content, nonce, replyTo, m, withFile);
    }

    private String post(String channelId, String content, String nonce, String replyTo, OutboundMessage m,
                        boolean withFile) throws DeliveryException {
        DataObject payload = DataObject.empty()
                .put("content", content)
                .put("allowed_mentions", DataObject.empty().put("parse", DataArray.empty()).put("replied_user", false))
                .put("nonce", nonce)
                .put("enforce_nonce", true);
        if (replyTo != null) {
            payload.put("message_reference", DataObject.empty().put("message_id", replyTo)
                    .put("fail_if_not_exists", false));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(restUrl + "channels/" + channelId + "/messages"))
                .timeout(timeout)
                .header("Authorization", "Bot " + token)
                .header("User-Agent", "DiscordBot (https://github.com/claw4j, 1) claw4j");
        if (withFile) {
            String boundary = "claw4j-" + UUID.randomUUID();
            request.header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(multipart(boundary, payload, m)));
        } else {
            request.header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(payload.toString()));
        }
        String what = "discord: could not send to channel " + channelId + " by id";
        HttpResponse<String> answer;
        try {
            answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DeliveryException(what + ": no answer from Discord (" + Replies.causes(e) + ")", null, false, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("discord: interrupted while sending");
        }
        int status = answer.statusCode();
        if (status / 100 == 2) {
            try {
                return DataObject.fromJson(answer.body()).getString("id");
            } catch (RuntimeException unreadable) { // Discord took it: never send it again (see Connector.deliver)
                return null;
            }
        }
        String meaning = errorMessage(answer.body());
        if (status == 429) {
            throw new DeliveryException(what + ": rate limited (HTTP 429)", retryAfter(answer.body()), false, null);
        }
        // 403 Missing Access, 404 Unknown Channel: the bot cannot post there, retrying does not help
        boolean permanent = status == 403 || status == 404;
        throw new DeliveryException(what + ": " + meaning + " (HTTP " + status + ")"
                + (status == 401 ? "; check connectors.discord.token" : ""), null, permanent || status == 401, null);
    }

    /** {@code payload_json} and the file as {@code files[0]}, as Discord takes an upload. */
    private static byte[] multipart(String boundary, DataObject payload, OutboundMessage m) throws DeliveryException {
        payload.put("attachments", DataArray.empty().add(DataObject.empty().put("id", 0).put("filename", m.fileName())));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try {
            write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"payload_json\"\r\n"
                    + "Content-Type: application/json\r\n\r\n" + payload + "\r\n");
            write(body, "--" + boundary + "\r\nContent-Disposition: form-data; name=\"files[0]\"; filename=\""
                    + m.fileName().replaceAll("[\"\\\\\\r\\n]", "_") + "\"\r\nContent-Type: application/octet-stream"
                    + "\r\n\r\n");
            body.write(Files.readAllBytes(m.file()));
            write(body, "\r\n--" + boundary + "--\r\n");
        } catch (IOException e) {
            throw new DeliveryException("discord: could not read the file to send " + m.file() + ": " + e.getMessage(),
                    null, true, e);
        }
        return body.toByteArray();
    }

    private static void write(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String errorMessage(String body) {
        try {
            DataObject error = DataObject.fromJson(body);
            return error.getString("message", "error") + " (" + error.getInt("code", 0) + ")";
        } catch (RuntimeException e) {
            return "an answer that is not Discord's JSON error";
        }
    }

    private static Duration retryAfter(String body) {
        try {
            return Duration.ofMillis((long) (DataObject.fromJson(body).getDouble("retry_after") * 1000));
        } catch (RuntimeException e) {
            return Duration.ofSeconds(1);
        }
    }
}
