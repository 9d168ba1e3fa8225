package dev.claw4j.core.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final TestClock clock = new TestClock();

    private static boolean allowed(RateLimiter.Verdict v) {
        return v instanceof RateLimiter.Verdict.Allowed;
    }

    private static String notice(RateLimiter.Verdict v) {
        assertThat(v).isInstanceOf(RateLimiter.Verdict.Limited.class);
        return ((RateLimiter.Verdict.Limited) v).notice();
    }

    @Test
    void offTakesEverything() {
        RateLimiter limiter = new RateLimiter(RateLimiter.Settings.OFF, clock);
        for (int i = 0; i < 1000; i++) {
            assertThat(allowed(limiter.take("web:ann", "g1"))).isTrue();
        }
    }

    @Test
    void aPersonOverTheLimitIsToldOnceAMinuteAndTheBucketRefills() {
        RateLimiter limiter = new RateLimiter(new RateLimiter.Settings(3, 0), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(allowed(limiter.take("web:ann", "g1"))).as("a burst up to the limit").isTrue();
        }
        assertThat(notice(limiter.take("web:ann", "g1"))).as("the first refusal is told").contains("3 a minute");
        assertThat(notice(limiter.take("web:ann", "g1"))).as("the second is not").isNull();
        assertThat(allowed(limiter.take("web:bob", "g1"))).as("someone else").isTrue();

        clock.advance(Duration.ofSeconds(20)); // a third of a minute: one message back
        assertThat(allowed(limiter.take("web:ann", "g1"))).isTrue();
        assertThat(notice(limiter.take("web:ann", "g1"))).as("still within the notice's minute").isNull();

        clock.advance(Duration.ofSeconds(40)); // a minute since the notice: two messages back
        for (int i = 0; i < 2; i++) {
            assertThat(allowed(limiter.take("web:ann", "g1"))).isTrue();
        }
        assertThat(notice(limiter.take("web:ann", "g1"))).as("a new minute, a new notice").isNotNull();
    }

    @Test
    void aGroupIsSharedByEveryoneInItAndEachPersonIsToldOnce() {
        RateLimiter limiter = new RateLimiter(new RateLimiter.Settings(0, 4), clock);
        assertThat(allowed(limiter.take("web:ann", "g1"))).isTrue();
        assertThat(allowed(limiter.take("web:bob", "g1"))).isTrue();
        assertThat(allowed(limiter.take("web:cat", "g1"))).isTrue();
        assertThat(allowed(limiter.take("web:ann", "g1"))).isTrue();
        assertThat(notice(limiter.take("web:bob", "g1"))).contains("This chat").contains("4 a minute");
        assertThat(notice(limiter.take("web:cat", "g1"))).as("another person's first refusal").isNotNull();
        assertThat(notice(limiter.take("web:bob", "g1"))).isNull();
        assertThat(allowed(limiter.take("web:bob", "g2"))).as("another group").isTrue();
    }

    @Test
    void aRefusedMessageUsesUpNothing() {
        RateLimiter limiter = new RateLimiter(new RateLimiter.Settings(2, 2), clock);
        assertThat(allowed(limiter.take("web:ann", "g1"))).isTrue();
        assertThat(allowed(limiter.take("web:bob", "g1"))).isTrue();
        // ann is refused by the group; her own bucket keeps its message for another group
        assertThat(allowed(limiter.take("web:ann", "g1"))).isFalse();
        assertThat(allowed(limiter.take("web:ann", "g2"))).isTrue();
        assertThat(allowed(limiter.take("web:ann", "g3"))).isFalse();
    }

    @Test
    void negativeLimitsAreRefused() {
        assertThatThrownBy(() -> new RateLimiter.Settings(-1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limits.perPersonPerMinute");
    }

    static final class TestClock extends Clock {
        private Instant now = Instant.parse("2026-12-01T10:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
