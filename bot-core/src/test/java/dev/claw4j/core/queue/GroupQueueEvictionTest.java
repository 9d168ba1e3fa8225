package dev.claw4j.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.task.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The eviction rule (grace after a turn, bounded hold while others wait) on a clock the test moves: no test
 * sleeps for a grace. Turns are instant; the test waits (polling) only for their virtual threads to finish.
 */
class GroupQueueEvictionTest {
    private static final Duration GRACE = Duration.ofSeconds(10);
    private static final Duration HOLD = Duration.ofSeconds(30);
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
    private final List<String> started = new CopyOnWriteArrayList<>();
    private final List<String> stopped = new CopyOnWriteArrayList<>();
    private GroupQueue queue;

    @AfterEach
    void close() {
        queue.close();
    }

    private GroupQueue queue(int max, GroupQueue.Eviction eviction) {
        // the idle timeout is far beyond any time this test moves the clock, so only eviction stops sandboxes
        queue = new GroupQueue(max, Duration.ofHours(1), eviction, stopped::add, (group, turn) -> {
            started.add(group);
        }, clock, Metrics.none());
        return queue;
    }

    /** Submits and waits until the turns begun so far have ended. */
    private void send(String group, long id) {
        queue.submit(group, id);
        settle();
    }

    private void settle() {
        await().pollInterval(Duration.ofMillis(5)).atMost(5, TimeUnit.SECONDS).until(() -> queue.runningTurns() == 0);
    }

    @Test
    void withinItsGraceAConversationKeepsItsSandboxWhileAnotherGroupWaits() {
        GroupQueue q = queue(1, new GroupQueue.Eviction(GRACE, HOLD));
        send("a", 1);
        send("b", 2);
        assertThat(q.waitingGroups()).as("a's grace holds its slot").containsExactly("b");
        clock.advance(GRACE.minusSeconds(1));
        send("a", 3);
        assertThat(started).as("a's next message ran at once on its warm sandbox").containsExactly("a", "a");
        assertThat(stopped).isEmpty();

        clock.advance(GRACE.minusSeconds(1));
        q.handOverExpired();
        assertThat(stopped).as("a's second grace is not over yet").isEmpty();
        clock.advance(Duration.ofSeconds(1));
        q.handOverExpired();
        settle();
        assertThat(stopped).as("a's grace is over: its sandbox makes room for b").containsExactly("a");
        assertThat(started).containsExactly("a", "a", "b");
        assertThat(q.waitingGroups()).isEmpty();
        assertThat(q.slotsUsed()).isEqualTo(1);
    }

    @Test
    void graceZeroIsTheOldRuleAWaitingGroupTakesTheSlotAtOnce() {
        GroupQueue q = queue(1, GroupQueue.Eviction.NONE);
        send("a", 1);
        send("b", 2);
        assertThat(stopped).containsExactly("a");
        send("a", 3);
        assertThat(stopped).as("every message pays a cold start").containsExactly("a", "b");
        assertThat(started).containsExactly("a", "b", "a");
        assertThat(q.waitingGroups()).isEmpty();
    }

    @Test
    void aGroupThatKeepsTalkingYieldsOnceItHeldItsSlotForMaxHold() {
        GroupQueue q = queue(1, new GroupQueue.Eviction(GRACE, HOLD));
        send("a", 1);
        send("b", 2);
        long id = 3;
        // a talks every 5 s, always within its grace: it keeps the slot until it has held it for HOLD
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(5));
            send("a", id++);
        }
        assertThat(stopped).isEmpty();
        assertThat(q.waitingGroups()).containsExactly("b");
        clock.advance(Duration.ofSeconds(5)); // 30 s since a got the slot
        send("a", id++);
        assertThat(stopped).as("a held its slot for maxHold: b goes first").containsExactly("a");
        assertThat(started.subList(started.size() - 1, started.size())).containsExactly("b");
        assertThat(q.waitingGroups()).as("a's message waits behind b").containsExactly("a");

        // b's turn ended; b is in its grace and has held its slot for no time: a waits for b's grace
        q.handOverExpired();
        assertThat(q.waitingGroups()).containsExactly("a");
        clock.advance(GRACE);
        q.handOverExpired();
        settle();
        assertThat(stopped).containsExactly("a", "b");
        assertThat(started.getLast()).isEqualTo("a");
        assertThat(q.waitingGroups()).isEmpty();
    }

    @Test
    void anIdleHolderPastMaxHoldYieldsEvenWithinItsGrace() {
        GroupQueue q = queue(1, new GroupQueue.Eviction(Duration.ofMinutes(5), HOLD));
        send("a", 1);
        clock.advance(Duration.ofSeconds(25));
        send("a", 2);
        send("b", 3);
        assertThat(q.waitingGroups()).containsExactly("b");
        clock.advance(Duration.ofSeconds(5));
        q.handOverExpired();
        settle();
        assertThat(stopped).containsExactly("a");
        assertThat(started.getLast()).isEqualTo("b");
    }

    @Test
    void theLeastRecentlyUsedIdleSandboxPastItsGraceIsTheOneStopped() {
        GroupQueue q = queue(2, new GroupQueue.Eviction(GRACE, HOLD));
        send("a", 1);
        clock.advance(Duration.ofSeconds(2));
        send("b", 2);
        clock.advance(Duration.ofSeconds(2));
        send("c", 3);
        assertThat(q.waitingGroups()).containsExactly("c");
        clock.advance(GRACE.minusSeconds(2)); // a's grace is over, b's is not
        q.handOverExpired();
        settle();
        assertThat(stopped).containsExactly("a");
        assertThat(q.waitingGroups()).isEmpty();
    }

    @Test
    void aNewGroupTakesAnIdleSlotPastItsGraceAndGroupsThatHoldNothingAreForgotten() {
        GroupQueue q = queue(2, new GroupQueue.Eviction(GRACE, HOLD));
        for (int i = 0; i < 200; i++) {
            send("g" + i, i + 1);
            clock.advance(GRACE.multipliedBy(2));
        }
        assertThat(stopped).hasSize(198);
        assertThat(q.knownGroups()).as("only the two holders are kept, not every chat ever seen").isEqualTo(2);
        assertThat(q.slotsUsed()).isEqualTo(2);
    }
}
