package dev.claw4j.core.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Messages per minute, per person and per agent group. Each is a bucket that holds a minute's worth of messages
 * and refills at that rate, so a burst up to the limit goes through and a steady flood is held to it. A message
 * over either limit is refused; a refused message does not use up anything. The person is told at most once per
 * minute (the first refusal always), so a flood gets one short notice and not one per message.
 * <p>
 * Buckets live in memory (Caffeine, forgotten after a few idle minutes): a restart starts everyone afresh, which
 * errs towards answering.
 */
public final class RateLimiter {
    /** Messages per minute; 0 is no limit. */
    public record Settings(int perPersonPerMinute, int perGroupPerMinute) {
        public static final Settings OFF = new Settings(0, 0);

        public Settings {
            if (perPersonPerMinute < 0 || perGroupPerMinute < 0) {
                throw new IllegalArgumentException("limits.perPersonPerMinute and limits.perGroupPerMinute must be 0 "
                        + "(no limit) or more, got " + perPersonPerMinute + " and " + perGroupPerMinute);
            }
        }

        public boolean off() {
            return perPersonPerMinute == 0 && perGroupPerMinute == 0;
        }
    }

    /** What to do with one message. */
    public sealed interface Verdict {
        record Allowed() implements Verdict {}

        /** Over a limit; {@code notice} is the text to send the person, or null when they were told this minute. */
        record Limited(String why, String notice) implements Verdict {}
    }

    private static final Duration MINUTE = Duration.ofMinutes(1);
    private static final Verdict ALLOWED = new Verdict.Allowed();

    private final Settings settings;
    private final Clock clock;
    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .maximumSize(200_000).expireAfterAccess(Duration.ofMinutes(5)).build();
    /** When each person was last told; the cache's own expiry only bounds memory, the clock decides. */
    private final Cache<String, Instant> noticed = Caffeine.newBuilder()
            .maximumSize(200_000).expireAfterWrite(Duration.ofMinutes(5)).build();

    public RateLimiter(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    /** Takes one message from {@code person} (platform:id) for {@code group}, or says why not. */
    public synchronized Verdict take(String person, String group) {
        if (settings.off()) {
            return ALLOWED;
        }
        Instant now = clock.instant();
        Bucket byPerson = settings.perPersonPerMinute() == 0 ? null
                : buckets.get("person:" + person, k -> new Bucket(settings.perPersonPerMinute(), now));
        Bucket byGroup = settings.perGroupPerMinute() == 0 ? null
                : buckets.get("group:" + group, k -> new Bucket(settings.perGroupPerMinute(), now));
        String why = null;
        String notice = null;
        if (byPerson != null && !byPerson.has(now)) {
            why = "person " + person + " over " + settings.perPersonPerMinute() + " messages a minute";
            notice = "You are sending messages faster than I take them (" + settings.perPersonPerMinute()
                    + " a minute). I kept this one but will not answer it; wait a minute, then send what you still "
                    + "need answered.";
        } else if (byGroup != null && !byGroup.has(now)) {
            why = "group " + group + " over " + settings.perGroupPerMinute() + " messages a minute";
            notice = "This chat is sending me more messages than I take (" + settings.perGroupPerMinute()
                    + " a minute). I kept yours but will not answer it; wait a minute, then send it again.";
        }
        if (why == null) {
            if (byPerson != null) {
                byPerson.take();
            }
            if (byGroup != null) {
                byGroup.take();
            }
            return ALLOWED;
        }
        Instant told = noticed.getIfPresent(person);
        boolean tell = told == null || !now.isBefore(told.plus(MINUTE));
        if (tell) {
            noticed.put(person, now);
        }
        return new Verdict.Limited(why, tell ? notice : null);
    }

    /**
     * A bucket of {@code size} messages that refills {@code size} per minute. Counted in whole units (a message is
     * a minute's worth of nanoseconds, refilled at {@code size} units per nanosecond), so no rounding ever keeps
     * back a message that is due.
     */
    private static final class Bucket {
        private static final long MESSAGE = MINUTE.toNanos();
        private final int size;
        private long units;
        private Instant refilled;

        Bucket(int size, Instant now) {
            this.size = size;
            this.units = size * MESSAGE;
            this.refilled = now;
        }

        boolean has(Instant now) {
            long nanos = Duration.between(refilled, now).toNanos();
            if (nanos > 0) {
                // past a minute the bucket is full anyway; capping the time keeps the product in a long
                units = Math.min(size * MESSAGE, units + Math.min(nanos, MESSAGE) * size);
                refilled = now;
            }
            return units >= MESSAGE;
        }

        void take() {
            units -= MESSAGE;
        }
    }
}
