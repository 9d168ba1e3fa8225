package dev.claw4j.discord;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps "bot is typing…" showing while an agent works. Discord shows it for about 10 seconds per call, so
 * it is sent again every {@link #PERIOD_SECONDS} seconds until the turn ends. Best effort: a failed call
 * is logged and the next one tries again.
 */
final class TypingIndicators implements AutoCloseable {
    static final long PERIOD_SECONDS = 8;
    private static final Logger log = LoggerFactory.getLogger(TypingIndicators.class);

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("discord-typing").daemon().factory());
    private final Map<String, ScheduledFuture<?>> active = new ConcurrentHashMap<>();
    private final Consumer<String> sendTyping;

    /** {@code sendTyping} gets the channel id to type in (a thread's own id inside threads). */
    TypingIndicators(Consumer<String> sendTyping) {
        this.sendTyping = sendTyping;
    }

    void set(String channelId, boolean busy) {
        if (busy) {
            try {
                active.computeIfAbsent(channelId, id -> timer.scheduleAtFixedRate(() -> typeIn(id), 0, PERIOD_SECONDS,
                        TimeUnit.SECONDS));
            } catch (RejectedExecutionException e) {
                // closed: the connector is shutting down, and typing is best effort
            }
        } else {
            ScheduledFuture<?> f = active.remove(channelId);
            if (f != null) {
                f.cancel(false);
            }
        }
    }

    private void typeIn(String channelId) {
        try {
            sendTyping.accept(channelId);
        } catch (RuntimeException e) {
            log.debug("discord: typing indicator in {} failed: {}", channelId, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        active.clear();
    }
}
