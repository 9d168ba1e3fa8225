package dev.claw4j.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

    private static List<Instant> fires(Schedule s, Instant from, int n) {
        List<Instant> out = new ArrayList<>();
        Instant at = from;
        for (int i = 0; i < n; i++) {
            at = s.nextAfter(at).orElseThrow();
            out.add(at);
        }
        return out;
    }

    @Test
    void unixCronInAZone() {
        Schedule s = Schedule.cron("0 9 * * *", "Europe/Berlin");
        assertThat(fires(s, Instant.parse("2026-12-01T07:00:00Z"), 2)).containsExactly(
                Instant.parse("2026-12-01T08:00:00Z"), Instant.parse("2026-12-02T08:00:00Z"));
    }

    @Test
    void quartzCronWithSeconds() {
        Schedule s = Schedule.cron("30 0 9 ? * MON-FRI", "UTC");
        // 2026-12-05 is a Saturday: the next fire is Monday
        assertThat(s.nextAfter(Instant.parse("2026-12-04T10:00:00Z")))
                .contains(Instant.parse("2026-12-07T09:00:30Z"));
    }

    @Test
    void nineOClockStaysNineAcrossBothDstTransitions() {
        Schedule s = Schedule.cron("0 9 * * *", "Europe/Berlin");
        // spring forward on 2026-03-29: 09:00 is 08:00Z before, 07:00Z after
        assertThat(fires(s, Instant.parse("2026-03-28T00:00:00Z"), 2)).containsExactly(
                Instant.parse("2026-03-28T08:00:00Z"), Instant.parse("2026-03-29T07:00:00Z"));
        // fall back on 2026-10-25: 07:00Z before, 08:00Z after
        assertThat(fires(s, Instant.parse("2026-10-24T00:00:00Z"), 2)).containsExactly(
                Instant.parse("2026-10-24T07:00:00Z"), Instant.parse("2026-10-25T08:00:00Z"));
    }

    @Test
    void aTimeInTheSpringGapFiresOnceThatDay() {
        // 02:30 does not exist in Berlin on 2026-03-29 (02:00 -> 03:00)
        Schedule s = Schedule.cron("30 2 * * *", "Europe/Berlin");
        List<Instant> f = fires(s, Instant.parse("2026-03-28T12:00:00Z"), 2);
        assertThat(f.get(0)).isEqualTo(Instant.parse("2026-03-29T01:30:00Z")); // 03:30 CEST, right after the gap
        assertThat(f.get(1)).isEqualTo(Instant.parse("2026-03-30T00:30:00Z"));
    }

    @Test
    void aTimeInTheAutumnOverlapFiresOnceThatDay() {
        // 02:30 exists twice in Berlin on 2026-10-25 (00:30Z and 01:30Z)
        Schedule s = Schedule.cron("30 2 * * *", "Europe/Berlin");
        List<Instant> f = fires(s, Instant.parse("2026-10-24T12:00:00Z"), 2);
        assertThat(f.get(0)).isEqualTo(Instant.parse("2026-10-25T00:30:00Z")); // the first 02:30 (CEST)
        assertThat(f.get(1)).isEqualTo(Instant.parse("2026-10-26T01:30:00Z"));
    }

    @Test
    void intervalsAreAnchored() {
        Instant anchor = Instant.parse("2026-12-01T00:00:00Z");
        Schedule s = Schedule.every("2h", anchor);
        assertThat(s.nextAfter(Instant.parse("2026-12-01T05:00:00Z"))).contains(Instant.parse("2026-12-01T06:00:00Z"));
        assertThat(Schedule.stored(s.kind(), s.expression(), s.zone())).isEqualTo(s);
    }

    @Test
    void onceFiresOnceAndLocalTimesUseTheZone() {
        Schedule s = Schedule.once("2026-12-24T09:00", "America/New_York");
        assertThat(s.nextAfter(Instant.parse("2026-12-01T00:00:00Z"))).contains(Instant.parse("2026-12-24T14:00:00Z"));
        assertThat(s.nextAfter(Instant.parse("2026-12-24T14:00:00Z"))).isEmpty();
    }

    @Test
    void badInputSaysWhatToWrite() {
        assertThatThrownBy(() -> Schedule.cron("0 9 * *", "UTC")).hasMessageContaining("has 4 fields; use five");
        assertThatThrownBy(() -> Schedule.cron("0 99 * * *", "UTC")).hasMessageContaining("not valid UNIX");
        assertThatThrownBy(() -> Schedule.cron("0 9 * * *", "Mars/Olympus")).hasMessageContaining("Europe/Berlin");
        assertThatThrownBy(() -> Schedule.every("soon", Instant.EPOCH)).hasMessageContaining("15m");
        assertThatThrownBy(() -> Schedule.once("tomorrow", "UTC")).hasMessageContaining("2026-12-24T09:00");
    }

    @Test
    void shortestGapOfACron() {
        assertThat(Schedule.shortestGap(Schedule.cron("*/2 * * * *", "UTC"), Instant.EPOCH))
                .isEqualTo(Duration.ofMinutes(2));
        assertThat(Schedule.shortestGap(Schedule.cron("0 9,10 * * *", "UTC"), Instant.EPOCH))
                .isEqualTo(Duration.ofHours(1));
    }
}
