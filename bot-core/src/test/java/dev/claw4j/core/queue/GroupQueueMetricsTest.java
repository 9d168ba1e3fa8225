package dev.claw4j.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.metrics.Metrics;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The queue wait: from a message being submitted to the start of the turn that takes it. */
class GroupQueueMetricsTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> finished = new CopyOnWriteArrayList<>();
    private GroupQueue queue;

    @AfterEach
    void close() {
        queue.close();
    }

    private Timer waits() {
        return registry.get("claw4j.queue.wait").timer();
    }

    private GroupQueue queue(int max, long turnMillis, GroupQueue.TurnRunner extra) {
        queue = new GroupQueue(max, Duration.ofMinutes(1), g -> { }, (group, turn) -> {
            extra.runTurn(group, turn);
            try {
                Thread.sleep(turnMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            turn.stopFollowUps();
            finished.add(group);
        }, Clock.systemUTC(), new Metrics(registry));
        return queue;
    }

    @Test
    void aGroupWaitingForASlotRecordsItsWait() {
        GroupQueue q = queue(1, 400, (g, t) -> { });
        q.submit("a", 1);
        q.submit("b", 2); // waits for a's slot (a stays warm, but idle warm slots are taken over)
        await().atMost(5, TimeUnit.SECONDS).until(() -> finished.size() == 2);
        assertThat(waits().count()).isEqualTo(2);
        assertThat(waits().max(TimeUnit.MILLISECONDS)).as("b waited for a's turn").isGreaterThanOrEqualTo(350);
    }

    @Test
    void aFollowUpTakenIntoTheRunningTurnWaitedForNothing() {
        GroupQueue q = queue(2, 300, (g, t) -> t.acceptFollowUps(id -> true));
        q.submit("a", 1);
        await().atMost(2, TimeUnit.SECONDS).until(() -> waits().count() == 1);
        q.submit("a", 2);
        q.submit("a", 3);
        await().atMost(5, TimeUnit.SECONDS).until(() -> finished.size() == 1);
        assertThat(waits().count()).as("one turn, one wait; the follow-ups went into it").isEqualTo(1);
        assertThat(waits().max(TimeUnit.MILLISECONDS)).isLessThan(200);
    }
}
