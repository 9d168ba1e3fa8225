package dev.claw4j.telegram;

import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.connector.Inbox;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Long polling with getUpdates. An update is confirmed to Telegram (by asking with a higher offset) only after
 * the host has stored it, and the offset is a {@link Cursor} the host stores in the same transaction as the
 * update's message (or on its own for an update that carries none), so a crash at any moment neither loses
 * updates (the offset is never on disk ahead of the message) nor repeats more than the one being stored (which
 * the host deduplicates). Rate limits wait Telegram's {@code retry_after}; server and network errors back off
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
    private final String cursorKey;
    private final Duration pollTimeout;
    private final BiConsumer<Update, Cursor> handler;
    private static final Duration NOT_LEADER_WAIT = Duration.ofMillis(500);

    private final Inbox inbox;
    private final BooleanSupplier mayPoll;
    private volatile boolean running = true;
    private long offset;

    /**
     * @param handler stores the update's message with the cursor, or the cursor alone; throws when the host
     *                could not take it (the update then stays unconfirmed and comes again)
     */
    UpdatePoller(BotApi api, Inbox inbox, String cursorKey, OffsetStore oldFile, Duration pollTimeout,
                 BiConsumer<Update, Cursor> handler) {
        this(api, inbox, cursorKey, oldFile, pollTimeout, handler, () -> true);
    }

    /**
     * @param mayPoll whether this host polls now (several hosts on one database: the one holding the polling
     *                leader lease; Telegram refuses two pollers of one bot)
     */
    UpdatePoller(BotApi api, Inbox inbox, String cursorKey, OffsetStore oldFile, Duration pollTimeout,
                 BiConsumer<Update, Cursor> handler, BooleanSupplier mayPoll) {
        this.inbox = inbox;
        this.mayPoll = mayPoll;
        this.api = api;
        this.cursorKey = cursorKey;
        this.pollTimeout = pollTimeout;
        this.handler = handler;
        this.offset = startingOffset(inbox, cursorKey, oldFile);
    }

    /**
     * The store's cursor; when it has none yet, the offset file of an earlier version, taken into the store
     * once; else 0 ("whatever Telegram still holds", the very first run of this bot).
     */
    static long startingOffset(Inbox inbox, String cursorKey, OffsetStore oldFile) {
        OptionalLong stored = inbox.cursor(cursorKey);
        if (stored.isPresent()) {
            oldFile.delete(); // a migration cut off between the store and the delete
            return stored.getAsLong();
        }
        OptionalLong old = oldFile.load();
        if (old.isEmpty()) {
            return 0;
        }
        inbox.advance(new Cursor(cursorKey, old.getAsLong()));
        oldFile.delete();
        log.info("telegram: took the update offset {} from {} into the store ({}); the file is no longer used",
                old.getAsLong(), oldFile.file(), cursorKey);
        return old.getAsLong();
    }

    @Override
    public void run() {
        int failures = 0;
        boolean waiting = false;
        while (running) {
            if (!mayPoll.getAsBoolean()) {
                if (!waiting) {
                    log.info("telegram: another host polls for updates now; this one waits to take over");
                    waiting = true;
                }
                sleep(NOT_LEADER_WAIT);
                continue;
            }
            if (waiting) {
                // the host that polled meanwhile moved the cursor on in the store: go on from there
                offset = Math.max(offset, inbox.cursor(cursorKey).orElse(offset));
                log.info("telegram: this host polls for updates now, from update {}", offset);
                waiting = false;
            }
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
                    long next = update.getUpdateId() + 1L;
                    handler.accept(update, new Cursor(cursorKey, next));
                    offset = next;
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
