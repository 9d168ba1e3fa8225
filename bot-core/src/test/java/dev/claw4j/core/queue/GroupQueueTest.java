package dev.claw4j.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The scheduling rules alone, with turns that only record what happens to them. */
class GroupQueueTest {
    private final List<String> started = new CopyOnWriteArrayList<>();
    private final List<String> stopped = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> runningPerGroup = new ConcurrentHashMap<>();
    private final AtomicInteger runningNow = new AtomicInteger();
    private final AtomicInteger peakRunning = new AtomicInteger();
    private final AtomicInteger peakPerGroup = new AtomicInteger();
    private GroupQueue queue;

    @AfterEach
    void close() {
        if (queue != null) {
            queue.close();
        }
    }

    private GroupQueue queue(int max, Duration idle, GroupQueue.TurnRunner inner) {
        queue = new GroupQueue(max, idle, stopped::add, (group, turn) -> {
            started.add(group);
            peakRunning.accumulateAndGet(runningNow.incrementAndGet(), Math::max);
            peakPerGroup.accumulateAndGet(runningPerGroup.computeIfAbsent(group, g -> new AtomicInteger())
                    .incrementAndGet(), Math::max);
            try {
                inner.runTurn(group, turn);
            } finally {
                runningPerGroup.get(group).decrementAndGet();
                runningNow.decrementAndGet();
            }
        }, Clock.systemUTC());
        return queue;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aGroupAnotherHostHoldsIsNotRunHereAndGivesItsSlotBack() {
        List<dev.claw4j.core.cluster.Fence> fences = new CopyOnWriteArrayList<>();
        queue(1, Duration.ofMinutes(1), (group, turn) -> fences.add(turn.fence()))
                .withGate(group -> group.equals("theirs") ? java.util.Optional.empty()
                        : java.util.Optional.of(new dev.claw4j.core.cluster.Fence(group, "me", 7)));
        queue.submit("theirs", 1);
        await().atMost(5, TimeUnit.SECONDS).until(() -> queue.slotsUsed() == 0);
        queue.submit("mine", 2);
        await().atMost(5, TimeUnit.SECONDS).until(() -> started.contains("mine"));
        assertThat(started).containsExactly("mine");
        assertThat(fences).containsExactly(new dev.claw4j.core.cluster.Fence("mine", "me", 7));
        assertThat(stopped).as("no sandbox was stopped to make room for a group held elsewhere").isEmpty();
    }

    @Test
    void oneTurnPerGroupAndMessagesDuringATurnGoToIt() {
        List<Long> handedOver = new CopyOnWriteArrayList<>();
        CountDownLatch accepting = new CountDownLatch(1);
        CountDownLatch allSubmitted = new CountDownLatch(1);
        // latches, not sleeps: on a loaded machine a 300 ms turn could end before the follow-ups were submitted
        GroupQueue q = queue(4, Duration.ofMinutes(1), (group, turn) -> {
            turn.acceptFollowUps(id -> handedOver.add(id));
            accepting.countDown();
            try {
                allSubmitted.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            turn.stopFollowUps();
        });
        q.submit("g", 1);
        await().atMost(10, TimeUnit.SECONDS).until(() -> accepting.getCount() == 0);
        for (long id = 2; id <= 6; id++) {
            q.submit("g", id);
        }
        allSubmitted.countDown();
        await().atMost(5, TimeUnit.SECONDS).until(() -> runningNow.get() == 0);
        assertThat(handedOver).containsExactly(2L, 3L, 4L, 5L, 6L);
        assertThat(started).containsExactly("g");
        assertThat(peakPerGroup.get()).isEqualTo(1);
    }

    @Test
    void aMessageThatMissesTheTurnGetsAnotherTurn() {
        GroupQueue q = queue(4, Duration.ofMinutes(1), (group, turn) -> sleep(200)); // never takes follow-ups
        q.submit("g", 1);
        await().until(() -> started.size() == 1);
        q.submit("g", 2);
        await().atMost(5, TimeUnit.SECONDS).until(() -> started.size() == 2 && runningNow.get() == 0);
        assertThat(peakPerGroup.get()).isEqualTo(1);
    }

    @Test
    void neverMoreSandboxesThanTheCapAndWaitingGroupsAreServedInOrder() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        GroupQueue q = queue(1, Duration.ofMinutes(1), (group, turn) -> {
            if (group.equals("g1")) {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        q.submit("g1", 1);
        await().until(() -> started.size() == 1);
        q.submit("g2", 2);
        q.submit("g3", 3);
        q.submit("g4", 4);
        assertThat(q.waitingGroups()).containsExactly("g2", "g3", "g4");
        release.countDown();
        await().atMost(5, TimeUnit.SECONDS).until(() -> started.size() == 4 && runningNow.get() == 0);
        assertThat(started).containsExactly("g1", "g2", "g3", "g4");
        assertThat(peakRunning.get()).isEqualTo(1);
        // each hand-over stopped the previous group's sandbox first
        assertThat(stopped).containsExactly("g1", "g2", "g3");
        assertThat(q.slotsUsed()).isEqualTo(1);
    }

    @Test
    void aWarmIdleSandboxIsStoppedToMakeRoomRatherThanWait() {
        GroupQueue q = queue(2, Duration.ofMinutes(1), (group, turn) -> { });
        q.submit("a", 1);
        q.submit("b", 2);
        await().until(() -> started.size() == 2 && runningNow.get() == 0);
        q.submit("c", 3);
        await().atMost(5, TimeUnit.SECONDS).until(() -> started.size() == 3);
        assertThat(stopped).hasSize(1).first().isIn("a", "b");
        assertThat(q.waitingGroups()).isEmpty();
        assertThat(q.slotsUsed()).isEqualTo(2);
    }

    @Test
    void idleSandboxesAreStoppedAfterTheIdleTimeout() {
        GroupQueue q = queue(2, Duration.ofMillis(300), (group, turn) -> { });
        q.submit("a", 1);
        await().atMost(5, TimeUnit.SECONDS).until(() -> stopped.contains("a"));
        await().atMost(5, TimeUnit.SECONDS).until(() -> q.slotsUsed() == 0);
    }

    @Test
    void manyGroupsUnderLoadKeepEveryRule() {
        GroupQueue q = queue(3, Duration.ofMinutes(1), (group, turn) -> sleep(5));
        for (int i = 0; i < 200; i++) {
            q.submit("g" + (i % 20), i + 1);
        }
        await().atMost(30, TimeUnit.SECONDS).until(() -> runningNow.get() == 0 && q.waitingGroups().isEmpty()
                && started.stream().distinct().count() == 20);
        assertThat(peakRunning.get()).isLessThanOrEqualTo(3);
        assertThat(peakPerGroup.get()).isEqualTo(1);
        assertThat(q.slotsUsed()).isLessThanOrEqualTo(3);
    }
}
