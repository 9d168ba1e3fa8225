package dev.claw4j.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.cluster.Cluster;
import dev.claw4j.core.cluster.ClusterSettings;
import dev.claw4j.core.cluster.Fence;
import dev.claw4j.core.cluster.FencedOutException;
import dev.claw4j.core.cluster.HostIdentity;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A scheduled run's bookkeeping on one store shared by two hosts: host A runs a task of group g1, is paused past its
 * lease, host B takes g1 over. A's late writes of the run (started, finished, and with them the task's failure count,
 * status and next due time) are refused and leave nothing behind; B finishes the run once.
 */
@OnBothDatabases
class TaskFencingTest {
    private static final ClusterSettings FAST = new ClusterSettings(Duration.ofMillis(600), Duration.ofMillis(300));
    private final Store db;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
    private final TaskStore store;
    private final Tasks tasks;
    private final Cluster a;
    private final Cluster b;

    TaskFencingTest(TestDatabase database) {
        db = database.open();
        store = new TaskStore(db.dataSource());
        tasks = new Tasks(store, clock, Tasks.Settings.DEFAULTS);
        a = new Cluster(db.dataSource(), new HostIdentity("host-a", "m"), FAST);
        b = new Cluster(db.dataSource(), new HostIdentity("host-b", "m"), FAST);
        db.groups().bindNewGroup("chat:g1", "g1");
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
        db.close();
    }

    @Test
    void aPausedHostsLateRunBookkeepingIsRefusedAndTheNewHolderFinishesTheRunOnce() throws Exception {
        Task t = tasks.schedule(new Tasks.Origin("g1", "web", "chat-g1", null, "ann"),
                new Tasks.Request("stretch", "0 9 * * *", "Europe/Berlin", null, null, null, null, null));
        clock.set(t.nextDue());
        new Scheduler(tasks, clock, g -> { }, (g, kind, detail) -> { }).tick();
        TaskRun run = store.runs(t.id(), 1).getFirst();
        Task before = store.get(t.id()).orElseThrow();

        Fence fa = a.hold("g1").orElseThrow();
        store.started(run.id(), clock.instant(), fa); // A holds g1: its run starts
        Thread.sleep(FAST.lease().toMillis() + 200); // A is paused (it renews nothing) past its lease
        Fence fb = b.hold("g1").orElseThrow();

        // A wakes up and records its run as failed: refused, the run and the task stay as they were
        Instant retry = clock.instant().plus(tasks.backoff(1));
        assertThatThrownBy(() -> store.finish(run, TaskRun.FAILED, 10, "A's late failure", clock.instant(), retry, 8,
                fa)).isInstanceOf(FencedOutException.class).hasMessageContaining("group g1")
                .hasMessageContaining("finishing task run " + run.id());
        assertThatThrownBy(() -> store.started(run.id(), clock.instant(), fa)).isInstanceOf(FencedOutException.class);
        assertThat(store.outcomes(t.id())).isEqualTo(Map.of(TaskRun.CLAIMED, 1));
        Task unchanged = store.get(t.id()).orElseThrow();
        assertThat(List.of(unchanged.failures(), unchanged.status(), unchanged.nextDue()))
                .isEqualTo(List.of(before.failures(), before.status(), before.nextDue()));

        // B, the holder, finishes it, once
        assertThat(store.finish(run, TaskRun.OK, 5, null, clock.instant(), null, 8, fb)).isPresent();
        assertThat(store.finish(run, TaskRun.FAILED, 0, "again", clock.instant(), retry, 8, fb)).isEmpty();
        assertThat(store.outcomes(t.id())).isEqualTo(Map.of(TaskRun.OK, 1));
    }
}
