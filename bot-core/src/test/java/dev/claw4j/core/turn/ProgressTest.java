package dev.claw4j.core.turn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressTest {
    final ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
    /** What the platform saw: "show text", "edit h1 text", "clear h1", with the time in ms since the start. */
    final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    final List<Long> editTimes = Collections.synchronizedList(new ArrayList<>());
    final long start = System.nanoTime();

    final Progress.Sink sink = new Progress.Sink() {
        @Override
        public String show(String chatId, String threadId, String text) {
            calls.add("show " + text);
            editTimes.add(ms());
            return "h1";
        }

        @Override
        public void edit(String chatId, String threadId, String handle, String text) {
            calls.add("edit " + handle + " " + text);
            editTimes.add(ms());
        }

        @Override
        public void clear(String chatId, String threadId, String handle) {
            calls.add("clear " + handle);
        }
    };

    long ms() {
        return (System.nanoTime() - start) / 1_000_000;
    }

    @AfterEach
    void stop() {
        timer.shutdownNow();
    }

    @Test
    void aShortTurnShowsNothing() throws Exception {
        // a delay far above the turn, so a loaded machine that stretches the 100 ms cannot make it "long"
        Progress p = new Progress(sink, "c", null, Duration.ofMillis(3_000), Duration.ofMillis(200), timer);
        p.step("bash: ls");
        Thread.sleep(100);
        p.close();
        Thread.sleep(700);
        assertThat(calls).isEmpty();
    }

    @Test
    void aLongTurnShowsOneMessageEditedAtMostEveryGapAndRemovesItAtTheEnd() throws Exception {
        Progress p = new Progress(sink, "c", null, Duration.ofMillis(300), Duration.ofMillis(400), timer);
        long from = ms();
        for (int i = 0; i < 40; i++) { // a step every 50 ms for 2 s (longer on a loaded machine)
            p.step("step " + i);
            Thread.sleep(50);
        }
        long turnMs = ms() - from;
        p.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> calls.contains("clear h1"));

        assertThat(calls.getFirst()).startsWith("show step ");
        assertThat(calls.stream().filter(c -> c.startsWith("show"))).hasSize(1);
        assertThat(calls.getLast()).isEqualTo("clear h1");
        // at most one edit per gap over however long the turn really took
        assertThat(calls.stream().filter(c -> c.startsWith("edit"))).hasSizeBetween(1, (int) (turnMs / 400) + 1);
        for (int i = 1; i < editTimes.size(); i++) {
            assertThat(editTimes.get(i) - editTimes.get(i - 1)).as("gap before call %d", i).isGreaterThanOrEqualTo(390);
        }
        Thread.sleep(600);
        assertThat(calls.getLast()).as("nothing after the end").isEqualTo("clear h1");
    }

    @Test
    void aQuietTurnIsShownAfterTheDelayWithItsLastStep() throws Exception {
        Progress p = new Progress(sink, "c", null, Duration.ofMillis(200), Duration.ofMillis(200), timer);
        p.step("bash: sleep 10");
        await().atMost(Duration.ofSeconds(2)).until(() -> !calls.isEmpty());
        assertThat(calls).containsExactly("show bash: sleep 10");
        p.close();
        await().atMost(Duration.ofSeconds(2)).until(() -> calls.size() == 2);
        assertThat(calls).containsExactly("show bash: sleep 10", "clear h1");
    }

    @Test
    void aPlatformWithoutStatusMessagesCostsNothing() {
        Progress none = Progress.start(null, "c", null);
        none.step("x");
        none.close();
        assertThat(none).isSameAs(Progress.NONE);
    }
}
