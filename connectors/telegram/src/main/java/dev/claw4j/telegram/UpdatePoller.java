package dev.claw4j.telegram;

import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Long polling with getUpdates. An update is confirmed to Telegram (by asking with a higher offset) only after
 * the host has stored it, and the offset is saved after each update, so a crash or restart neither loses nor
 * repeats updates. Rate limits wait Telegram's {@code retry_after}; server and network errors back off
 * exponentially up to a minute.
 *
 * <p>The library has its own poller (telegrambots-longpolling), but it advances its offset before the updates
 * are handled, keeps it only in memory, and cannot see {@code retry_after}: this loop does those three things.
 */
final class UpdatePoller implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(UpdatePoller.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    private static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final BotApi api;
    private final OffsetStore offsets;
    private final Duration pollTimeout;
    private final Consumer<Update> handler;
    private volatile boolean running = true;
    private long offset;

    UpdatePoller(BotApi api, OffsetStore offsets, Duration pollTimeout, Consumer<Update> handler) {
        this.api = api;
        this.offsets = offsets;
        this.pollTimeout = pollTimeout;
        this.handler = handler;
        // 0 = "whatever is pending" on the very first run of this bot
        this.offset = offsets.load().orElse(0);
    }

    @Override
    public void run() {
        int failures = 0;
        while (running) {
            try {
                List<Update> updates = api.getUpdates(offset, pollTimeout);
                failures = 0;
                for (Update update : updates) {
                    if (!running) {
                        return; // not handled, not confirmed: the next run gets it again
                    }
                    if (update.getUpdateId() < offset) {
                        continue; // already handled (a confirmation that got lost)
                    }
                    handler.accept(update);
                    offset = update.getUpdateId() + 1L;
                    offsets.save(offset);
                }
            } catch (ApiError e) {
                if (!running) {
                    return;
                }
                failures++;
                Duration wait = e.isRateLimit() && e.retryAfter() != null ? e.retryAfter() : backoff(failures);
                log.warn("telegram: getUpdates failed ({}); polling again in {} ms", e.getMessage(), wait.toMillis());
                sleep(wait);
            } catch (RuntimeException e) {
                // the host could not take the update (its store is down?): keep it unconfirmed and try later
                failures++;
                Duration wait = backoff(failures);
                log.error("telegram: an update could not be handed to the host ({}); retrying in {} ms",
                        e.toString(), wait.toMillis());
                sleep(wait);
            }
        }
    }

    long offset() {
        return offset;
    }

    void stop() {
        running = false;
    }

    static Duration backoff(int failures) {
        Duration d = FIRST_BACKOFF.multipliedBy(1L << Math.min(failures - 1, 10));
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            running = false;
            Thread.currentThread().interrupt();
        }
    }
}
