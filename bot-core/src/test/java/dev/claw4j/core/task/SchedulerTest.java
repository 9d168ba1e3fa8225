package dev.claw4j.core.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoredInbound;
import dev.claw4j.core.store.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class SchedulerTest {
    private final Store db;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T08:00:00Z"));
    private final TaskStore store;
    private final Tasks tasks;
    private final List<String> submitted = new ArrayList<>();
    private final List<String> audit = new ArrayList<>();
    private final Scheduler scheduler;

    SchedulerTest(TestDatabase database) {
        db = database.open();
        store = new TaskStore(db.dataSource());
        tasks = new Tasks(store, clock, Tasks.Settings.DEFAULTS);
        scheduler = new Scheduler(tasks, clock, submitted::add,
                (g, kind, detail) -> audit.add(g + " " + kind + " " + detail));
        db.groups().bindNewGroup("chat:a", "ga");
        db.groups().bindNewGroup("chat:b", "gb");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private Task daily(String group, String catchUp) {
        return tasks.schedule(new Tasks.Origin(group, "telegram", "chat-" + group, null, "ann"),
                new Tasks.Request("stretch", "0 9 * * *", "Europe/Berlin", null, null, null, null, catchUp));
    }

    @Test
    void aDueRunIsClaimedOnceAndQueuedAsAMessageOfItsChat() {
        Task t = daily("ga", null);
        // 09:00 in Berlin is 08:00Z in winter; the clock stands at exactly 08:00Z, so the first run is tomorrow's
        assertThat(t.nextDue()).isEqualTo(Instant.parse("2026-12-02T08:00:00Z"));
        clock.set(t.nextDue());
        Instant next = scheduler.tick();
        assertThat(submitted).containsExactly("ga");
        assertThat(next).isEqualTo(t.nextDue().plus(Duration.ofDays(1)));
        List<StoredInbound> pending = db.messages().pendingFor("ga");
        assertThat(pending).singleElement().satisfies(m -> {
            assertThat(m.chatId()).isEqualTo("chat-ga");
            assertThat(m.text()).contains("stretch").contains("scheduled task #" + t.id());
        });
        assertThat(store.runsForMessages(List.of(pending.getFirst().id()))).hasSize(1);
        // a second look at the same instant claims nothing more
        scheduler.tick();
        assertThat(submitted).hasSize(1);
        assertThat(store.outcomes(t.id())).isEqualTo(Map.of(TaskRun.CLAIMED, 1));
    }

    @Test
    void theClaimListenerHearsOfAClaimOnceItHasCommittedAndBeforeItsGroupIsQueued() {
        Task t = daily("ga", null);
        clock.set(t.nextDue());
        List<String> seen = new ArrayList<>();
        scheduler.onClaim((task, claimed) -> {
            // what a crash here leaves behind: the claimed run and its message stored, nothing queued or audited
            seen.add(task.id() + " run " + claimed.runId() + ": " + store.outcomes(task.id()) + ", pending "
                    + db.messages().pendingFor("ga").size() + ", queued " + submitted + ", audit " + audit.size());
        });
        scheduler.tick();
        long run = store.runs(t.id(), 1).getFirst().id();
        assertThat(seen).containsExactly(t.id() + " run " + run + ": {" + TaskRun.CLAIMED + "=1}, pending 1, queued [],"
                + " audit 0");
        assertThat(submitted).containsExactly("ga");
    }

    @Test
    void twoClaimersOfOneDueRunMakeOneRun() {
        Task t = daily("ga", null);
        clock.set(t.nextDue());
        Task read = store.due(clock.instant(), 10).getFirst();
        // two hosts read the same due task; both try to claim it
        var first = store.claim(read, read.nextDue().plus(Duration.ofDays(1)), clock.instant(), "x", "y");
        var second = store.claim(read, read.nextDue().plus(Duration.ofDays(1)), clock.instant(), "x", "y");
        assertThat(first).isPresent();
        assertThat(second).isEmpty();
        assertThat(store.outcomes(t.id())).isEqualTo(Map.of(TaskRun.CLAIMED, 1));
        assertThat(db.messages().pendingFor("ga")).hasSize(1);
    }

    @Test
    void missedRunsCatchUpOnceNeverABurst() {
        Task t = daily("ga", "once");
        clock.set(t.nextDue().plus(Duration.ofDays(3)).plusSeconds(3600)); // down for three days
        scheduler.tick();
        assertThat(submitted).containsExactly("ga");
        assertThat(store.get(t.id()).orElseThrow().nextDue()).isAfter(clock.instant());
        assertThat(audit).anyMatch(a -> a.contains("catch-up: once"));
    }

    @Test
    void missedRunsAreSkippedWithCatchUpSkip() {
        Task t = daily("ga", "skip");
        clock.set(t.nextDue().plus(Duration.ofHours(5)));
        scheduler.tick();
        assertThat(submitted).isEmpty();
        assertThat(store.get(t.id()).orElseThrow().nextDue()).isEqualTo(t.nextDue().plus(Duration.ofDays(1)));
        assertThat(audit).anyMatch(a -> a.contains("task.skipped"));
        // a run only a little late is not "missed": it runs
        clock.set(t.nextDue().plus(Duration.ofDays(1)).plusSeconds(20));
        scheduler.tick();
        assertThat(submitted).containsExactly("ga");
    }

    @Test
    void failuresBackOffAndPauseAfterEight() {
        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 8).stream().map(tasks::backoff).map(Duration::toMinutes).toList())
                .containsExactly(2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        Task t = daily("ga", null);
        clock.set(t.nextDue());
        for (int i = 1; i <= 8; i++) {
            scheduler.tick();
            TaskRun run = store.runs(t.id(), 1).getFirst();
            Instant retry = clock.instant().plus(tasks.backoff(i));
            Task after = store.finish(run, TaskRun.FAILED, 10, "boom", clock.instant(), retry, 8).orElseThrow();
            assertThat(after.failures()).isEqualTo(i);
            if (i < 8) {
                assertThat(after.status()).isEqualTo(Task.Status.ACTIVE);
                assertThat(after.nextDue()).isEqualTo(retry);
                clock.set(retry);
            } else {
                assertThat(after.status()).isEqualTo(Task.Status.PAUSED);
            }
        }
        assertThat(store.outcomes(t.id())).isEqualTo(Map.of(TaskRun.FAILED, 8));
        // a finished run is never finished twice
        assertThat(store.finish(store.runs(t.id(), 1).getFirst(), TaskRun.OK, 0, null, clock.instant(), null, 8)).isEmpty();
        // paused: nothing more runs
        clock.advance(Duration.ofDays(2));
        submitted.clear();
        scheduler.tick();
        assertThat(submitted).isEmpty();
        // resumed: failures start again from zero
        assertThat(tasks.resume("ga", t.id())).isInstanceOf(Tasks.Change.Done.class);
        assertThat(store.get(t.id()).orElseThrow().failures()).isZero();
    }

    @Test
    void aSuccessResetsFailuresAndASingleTimeIsDoneAfterItsRun() {
        Task t = tasks.schedule(new Tasks.Origin("ga", "web", "c", null, "ann"),
                new Tasks.Request("call mum", null, "UTC", null, "2026-12-01T10:00", null, null, null));
        clock.set(Instant.parse("2026-12-01T10:00:00Z"));
        scheduler.tick();
        TaskRun run = store.runs(t.id(), 1).getFirst();
        Task after = store.finish(run, TaskRun.OK, 5, null, clock.instant(), null, 8).orElseThrow();
        assertThat(after.status()).isEqualTo(Task.Status.DONE);
        assertThat(scheduler.tick()).isNull();
    }

    @Test
    void aRunStoppedByTheBudgetIsNoFailureAndASingleTimeTaskIsTriedAgain() {
        Task daily = daily("ga", null);
        clock.set(daily.nextDue());
        scheduler.tick();
        Instant retry = clock.instant().plus(tasks.backoff(1));
        Task failed = store.finish(store.runs(daily.id(), 1).getFirst(), TaskRun.FAILED, 0, "boom", clock.instant(),
                retry, 8).orElseThrow();
        clock.set(retry);
        scheduler.tick();
        Task afterBudget = store.finish(store.runs(daily.id(), 1).getFirst(), TaskRun.OVER_BUDGET, 0, "budget",
                clock.instant(), clock.instant().plus(tasks.backoff(2)), 8).orElseThrow();
        assertThat(afterBudget.failures()).as("the streak is kept").isEqualTo(failed.failures()).isEqualTo(1);
        assertThat(afterBudget.status()).isEqualTo(Task.Status.ACTIVE);

        Task once = tasks.schedule(new Tasks.Origin("gb", "web", "c", null, "ann"),
                new Tasks.Request("call mum", null, "UTC", null, "2026-12-03T10:00", null, null, null));
        clock.set(Instant.parse("2026-12-03T10:00:00Z"));
        scheduler.tick();
        Instant later = clock.instant().plus(tasks.backoff(1));
        Task stopped = store.finish(store.runs(once.id(), 1).getFirst(), TaskRun.OVER_BUDGET, 0, "budget",
                clock.instant(), later, 8).orElseThrow();
        assertThat(stopped.status()).as("not done without its answer").isEqualTo(Task.Status.ACTIVE);
        assertThat(stopped.nextDue()).isEqualTo(later);
    }

    @Test
    void aGroupReachesOnlyItsOwnTasks() {
        Task theirs = daily("gb", null);
        assertThat(tasks.list("ga")).isEmpty();
        assertThat(tasks.pause("ga", theirs.id())).isEqualTo(new Tasks.Change.NotFound(theirs.id()));
        assertThat(tasks.cancel("ga", theirs.id())).isEqualTo(new Tasks.Change.NotFound(theirs.id()));
        assertThat(tasks.resume("ga", theirs.id())).isEqualTo(new Tasks.Change.NotFound(theirs.id()));
        assertThat(store.get(theirs.id()).orElseThrow().status()).isEqualTo(Task.Status.ACTIVE);
        // the operator (no group) reaches every task
        assertThat(tasks.list(null)).hasSize(1);
        assertThat(tasks.pause(null, theirs.id())).isInstanceOf(Tasks.Change.Done.class);
    }

    @Test
    void frequentRunsNeedACheck() {
        Tasks.Origin o = new Tasks.Origin("ga", "web", "c", null, "ann");
        assertThatThrownBy(() -> tasks.schedule(o, new Tasks.Request("poll", null, null, "1m", null, null, null, null)))
                .hasMessageContaining("every 1 min").hasMessageContaining("Add a \"check\"")
                .hasMessageContaining("{\"wake\": true");
        assertThatThrownBy(() -> tasks.schedule(o, new Tasks.Request("poll", "* * * * *", "UTC", null, null, null,
                null, null))).hasMessageContaining("Add a \"check\"");
        Task withCheck = tasks.schedule(o, new Tasks.Request("poll", null, null, "1m", null, null,
                "echo '{\"wake\":false}'", null));
        assertThat(withCheck.check()).isNotNull();
        assertThat(tasks.schedule(o, new Tasks.Request("poll", null, null, "5m", null, null, null, null)).id()).isPositive();
    }

    @Test
    void theSchedulerSleepsUntilTheNextDueTimeOrAChange() throws Exception {
        Task t = daily("ga", null);
        scheduler.start();
        try {
            Thread.sleep(300);
            long ticks = scheduler.ticks();
            assertThat(ticks).isBetween(1L, 2L); // looked once, then sleeps (no polling)
            clock.set(t.nextDue());
            scheduler.wake();
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> submitted.size() == 1);
            Thread.sleep(300);
            assertThat(scheduler.ticks()).isLessThanOrEqualTo(ticks + 2);
        } finally {
            scheduler.close();
        }
    }
}
