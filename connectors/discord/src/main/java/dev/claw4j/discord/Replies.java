package dev.claw4j.discord;

import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.OutboundMessage;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import net.dv8tion.jda.api.exceptions.InsufficientPermissionException;
import net.dv8tion.jda.api.requests.ErrorResponse;
import net.dv8tion.jda.api.requests.restaction.MessageCreateAction;
import net.dv8tion.jda.api.utils.FileUpload;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;

/**
 * Sends one outbox reply as Discord messages: split at 2,000 characters, the first part a reply to the
 * message it answers, the file (if any) on the last part. Agent output never pings anyone: allowed mentions
 * are empty, so @everyone, @here, roles and users stay plain text, and the replied-to person is not pinged
 * either. Every request waits for Discord's answer, so a failure reaches the outbox as a
 * {@link DeliveryException}; JDA itself waits out rate limits.
 */
final class Replies {
    // answers Discord gives when retrying cannot help
    private static final Set<ErrorResponse> PERMANENT = EnumSet.of(ErrorResponse.UNKNOWN_CHANNEL,
            ErrorResponse.MISSING_ACCESS, ErrorResponse.MISSING_PERMISSIONS, ErrorResponse.CANNOT_SEND_TO_USER,
            ErrorResponse.UNKNOWN_USER);
    private static final int REMEMBERED = 1_000;

    private final Duration timeout;
    // outbox id -> parts already sent, so a retry after a failed later part does not repeat the earlier ones
    private final Map<Long, Integer> sentParts = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Integer> eldest) {
            return size() > REMEMBERED;
        }
    });

    Replies(Duration timeout) {
        this.timeout = timeout;
    }

    void send(MessageChannel channel, OutboundMessage m) throws DeliveryException {
        List<String> parts = MessageSplitter.split(m.text());
        if (m.file() != null && !Files.isReadable(m.file())) {
            throw new DeliveryException("discord: the file to send is gone: " + m.file(), null, true, null);
        }
        if (parts.isEmpty() && m.file() == null) {
            return; // nothing to say; Discord refuses empty messages
        }
        int count = Math.max(parts.size(), 1);
        for (int i = sentParts.getOrDefault(m.id(), 0); i < count; i++) {
            MessageCreateBuilder b = new MessageCreateBuilder()
                    .setContent(parts.isEmpty() ? "" : parts.get(i))
                    .setAllowedMentions(EnumSet.noneOf(Message.MentionType.class))
                    .mentionRepliedUser(false);
            if (i == count - 1 && m.file() != null) {
                b.addFiles(FileUpload.fromData(m.file(), m.fileName()));
            }
            MessageCreateAction action = channel.sendMessage(b.build());
            if (i == 0 && m.inReplyTo() != null) {
                // if the message was deleted meanwhile, send without the reference instead of failing
                action = action.setMessageReference(m.inReplyTo()).failOnInvalidReply(false);
            }
            await(action);
            sentParts.put(m.id(), i + 1);
        }
        sentParts.remove(m.id());
    }

    private void await(MessageCreateAction action) throws DeliveryException {
        CompletableFuture<Message> sent;
        try {
            sent = action.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).submit();
        } catch (RuntimeException e) {
            throw failure("discord: could not send", e); // e.g. missing permission, checked before sending
        }
        try {
            // a little longer than JDA's own timeout, which drops the request if it never left
            sent.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw failure("discord: could not send", e.getCause());
        } catch (TimeoutException e) {
            throw new DeliveryException("discord: no answer from Discord within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("discord: interrupted while sending");
        }
    }

    /** Maps a JDA failure to a delivery failure, permanent when Discord says retrying cannot help. */
    static DeliveryException failure(String what, Throwable e) {
        if (e instanceof InsufficientPermissionException p) {
            return new DeliveryException(what + ": the bot lacks the permission " + p.getPermission().getName(), null,
                    true, e);
        }
        if (e instanceof ErrorResponseException r) {
            int status = r.getResponse() == null ? 0 : r.getResponse().code;
            boolean permanent = PERMANENT.contains(r.getErrorResponse()) || status == 403 || status == 404;
            return new DeliveryException(what + ": " + r.getMeaning() + " (" + r.getErrorCode() + ")", null, permanent,
                    e);
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return new DeliveryException(what + ": " + e.getMessage(), null, true, e);
        }
        return new DeliveryException(what + ": " + e, null, false, e);
    }
}
