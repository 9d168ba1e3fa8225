package dev.claw4j.discord;

import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.OutboundMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one outbox reply as Discord messages: split at 2,000 characters, the first part a reply to the
 * message it answers, the file (if any) on the last part. Agent output never pings anyone: allowed mentions
 * are empty, so @everyone, @here, roles and users stay plain text, and the replied-to person is not pinged
 * either. Every request waits for Discord's answer, so a failure reaches the outbox as a
 * {@link DeliveryException}; JDA itself waits out rate limits.
 *
 * <p>A part is never posted twice: a 2xx from Discord counts as delivered even when JDA cannot read the
 * answer, and every part carries a nonce made from the outbox id and the part's number with
 * {@code enforce_nonce}, so when an answer is lost and the outbox tries again, Discord returns the message it
 * already made instead of making another (for the few minutes it remembers nonces).
 */
final class Replies {
    private static final Logger log = LoggerFactory.getLogger(Replies.class);
    // answers Discord gives when retrying cannot help
    private static final Set<ErrorResponse> PERMANENT = EnumSet.of(ErrorResponse.UNKNOWN_CHANNEL,
            ErrorResponse.MISSING_ACCESS, ErrorResponse.MISSING_PERMISSIONS, ErrorResponse.CANNOT_SEND_TO_USER,
            ErrorResponse.UNKNOWN_USER);
    private static final int REMEMBERED = 1_000;

    private final Duration timeout;
    // outbox id -> parts already sent (and their message ids), so a retry after a failed later part does not
    // repeat the earlier ones
    private final Map<Long, Sent> sentParts = Collections.synchronizedMap(new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, Sent> eldest) {
            return size() > REMEMBERED;
        }
    });

    private record Sent(int parts, List<String> ids) {}

    Replies(Duration timeout) {
        this.timeout = timeout;
    }

    /**
     * Posts one part of a reply and returns the id of the message Discord made (null when it took the part but its
     * answer could not be read): through JDA's cached channel, or by channel id over REST ({@link RestChannels}).
     */
    interface PartSender {
        String post(String content, String nonce, String replyTo, OutboundMessage m, boolean withFile, int part)
                throws DeliveryException;
    }

    /** Sends the reply's parts into a channel JDA's cache knows. */
    Delivered send(MessageChannel channel, OutboundMessage m) throws DeliveryException {
        return send(m, (content, nonce, replyTo, msg, withFile, part) -> {
            MessageCreateBuilder b = new MessageCreateBuilder()
                    .setContent(content)
                    .setAllowedMentions(EnumSet.noneOf(Message.MentionType.class))
                    .mentionRepliedUser(false);
            if (withFile) {
                b.addFiles(FileUpload.fromData(msg.file(), msg.fileName()));
            }
            MessageCreateAction action = channel.sendMessage(b.build()).setNonce(nonce);
            if (replyTo != null) {
                // if the message was deleted meanwhile, send without the reference instead of failing
                action = action.setMessageReference(replyTo).failOnInvalidReply(false);
            }
            Message made = await(action, msg, part);
            return made == null ? null : made.getId();
        });
    }

    /** Sends the reply's parts; returns the ids of the messages Discord made (none for an unreadable answer). */
    Delivered send(OutboundMessage m, PartSender sender) throws DeliveryException {
        List<String> parts = MessageSplitter.split(m.text());
        if (m.file() != null && !Files.isReadable(m.file())) {
            throw new DeliveryException("discord: the file to send is gone: " + m.file(), null, true, null);
        }
        if (parts.isEmpty() && m.file() == null) {
            return Delivered.NO_IDS; // nothing to say; Discord refuses empty messages
        }
        int count = Math.max(parts.size(), 1);
        Sent sent = sentParts.getOrDefault(m.id(), new Sent(0, List.of()));
        for (int i = sent.parts(); i < count; i++) {
            String made = sender.post(parts.isEmpty() ? "" : parts.get(i), nonce(m.id(), i),
                    i == 0 ? m.inReplyTo() : null, m, i == count - 1 && m.file() != null, i);
            List<String> ids = new ArrayList<>(sent.ids());
            if (made != null) {
                ids.add(made);
            }
            sent = new Sent(i + 1, List.copyOf(ids));
            sentParts.put(m.id(), sent);
        }
        sentParts.remove(m.id());
        return new Delivered(sent.ids());
    }

    /** The same for every attempt at the same part, different for every other: at most 25 characters. */
    static String nonce(long outboxId, int part) {
        return "c4j-" + Long.toString(outboxId, 36) + "-" + part;
    }

    /** The message Discord made, or null when it took the part but its answer could not be read. */
    private Message await(MessageCreateAction action, OutboundMessage m, int part) throws DeliveryException {
        CompletableFuture<Message> sent;
        try {
            sent = action.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS).submit();
        } catch (RuntimeException e) {
            throw failure("discord: could not send to " + m.chatId(), e); // e.g. missing permission, checked first
        }
        try {
            // a little longer than JDA's own timeout, which drops the request if it never left
            return sent.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (answeredButUnreadable(e.getCause())) {
                log.warn("discord: part {} of reply {} to {} was accepted but Discord's answer could not be read ({}); "
                        + "counting it as delivered, its message id is unknown", part + 1, m.id(), m.chatId(),
                        causes(((ErrorResponseException) e.getCause()).getResponse().getException()));
                return null;
            }
            throw failure("discord: could not send to " + m.chatId(), e.getCause());
        } catch (TimeoutException e) {
            throw new DeliveryException("discord: no answer from Discord within " + timeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeliveryException("discord: interrupted while sending");
        }
    }

    /**
     * Discord answered, but JDA could not make a message of the answer. JDA's requester reports an exception
     * thrown while it handles an answer as an error "response" holding that exception; the only answers it
     * hands to a parser that can throw are 2xx ones (error bodies are read leniently), so such an exception that
     * is not an I/O error means Discord took the message. An I/O error means no answer came.
     */
    static boolean answeredButUnreadable(Throwable e) {
        return e instanceof ErrorResponseException r && r.getResponse() != null && r.getResponse().isError()
                && r.getResponse().getException() != null && !(r.getResponse().getException() instanceof IOException);
    }

    /** Every distinct message down the cause chain, on one line, cut at 300 characters. */
    static String causes(Throwable failure) {
        java.util.Set<String> parts = new java.util.LinkedHashSet<>();
        for (Throwable t = failure; t != null && parts.size() < 5; t = t.getCause()) {
            String m = t.getMessage();
            parts.add(m == null || m.isBlank() ? t.getClass().getSimpleName() : m.strip().replaceAll("\\s+", " "));
        }
        String all = String.join(": ", parts);
        return all.length() > 300 ? all.substring(0, 300) + "…" : all;
    }

    /** Maps a JDA failure to a delivery failure, permanent when Discord says retrying cannot help. */
    static DeliveryException failure(String what, Throwable e) {
        if (e instanceof InsufficientPermissionException p) {
            return new DeliveryException(what + ": the bot lacks the permission " + p.getPermission().getName(), null,
                    true, e);
        }
        if (e instanceof ErrorResponseException r && r.getResponse() != null && r.getResponse().isError()
                && r.getResponse().getException() != null) {
            // no HTTP answer: JDA's "meaning" would be just the exception's class name; say what happened
            return new DeliveryException(what + ": no answer from Discord (" + r.getResponse().getException()
                    .getClass().getSimpleName() + ": " + causes(r.getResponse().getException()) + ")", null, false, e);
        }
        if (e instanceof ErrorResponseException r) {
            int status = r.getResponse() == null ? 0 : r.getResponse().code;
            boolean permanent = PERMANENT.contains(r.getErrorResponse()) || status == 403 || status == 404;
            return new DeliveryException(what + ": " + r.getMeaning() + " (" + r.getErrorCode()
                    + (status > 0 ? ", HTTP " + status : "") + ")", null, permanent, e);
        }
        if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
            return new DeliveryException(what + ": " + e.getMessage(), null, true, e);
        }
        return new DeliveryException(what + ": " + e, null, false, e);
    }
}
