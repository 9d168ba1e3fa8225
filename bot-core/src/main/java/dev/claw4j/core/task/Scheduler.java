package dev.claw4j.core.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires due tasks. It claims each due run in one transaction (see {@link TaskStore#claim}) and then only submits
 * the run's group to the queue, where the run waits its turn like a message. Between due times it sleeps: until
 * the earliest due time, a change to the tasks, or at most {@link #MAX_SLEEP} (another host sharing the database
 * may have added a task, or the system clock jumped).
 */
public final class Scheduler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    static final Duration MAX_SLEEP = Duration.ofMinutes(10);
    private static final int BATCH = 500;

    /** Records what the scheduler did in the audit trail. */
    @FunctionalInterface
    public interface Audit {
        void audit(String groupId, String kind, String detail);
    }

    /** Told of each run the moment its claim has committed, before anything else happens to it. */
    @FunctionalInterface
    public interface ClaimListener {
        void claimed(Task task, TaskStore.Claimed claimed);
    }

    private final TaskStore store;
    private final Tasks tasks;
    private final Clock clock;
    private final Consumer<String> submit;
    private final Audit audit;
    private final Object lock = new Object();
    private boolean changed;
    private volatile boolean closed;
    private Thread thread;
    private volatile long ticks;
    private volatile ClaimListener claimListener = (task, claimed) -> { };

    /** @param submit hands a group that has a claimed run to the queue */
    public Scheduler(Tasks tasks, Clock clock, Consumer<String> submit, Audit audit) {
        this.store = tasks.store();
        this.tasks = tasks;
        this.clock = clock;
        this.submit = submit;
        this.audit = audit;
        tasks.onChange(this::wake);
    }

    /** Starts the scheduler's thread; runs claimed but unfinished by an earlier process are settled first. */
    public void start() {
        int settled = store.finishAnsweredRuns(clock.instant());
        if (settled > 0) {
            log.info("{} task run(s) were answered before the last stop; recorded as finished", settled);
        }
        thread = Thread.ofPlatform().daemon().name("scheduler").start(this::loop);
    }

    /**
     * Installs the listener told of every claim (one; the last installed wins). A crash test's host halts in it, as
     * a process killed between the claim's commit and the run's start would.
     */
    public void onClaim(ClaimListener listener) {
        this.claimListener = listener;
    }

    /** Something changed (a task added, resumed, run now, or the test clock moved): look again. */
    public void wake() {
        synchronized (lock) {
            changed = true;
            lock.notifyAll();
        }
    }

    /** How many times it has looked for due tasks (for the bench and tests: it does not poll). */
    public long ticks() {
        return ticks;
    }

    private void loop() {
        while (!closed) {
            Instant next;
            try {
                next = tick();
            } catch (RuntimeException e) {
                log.error("the scheduler failed to read or claim due tasks; trying again in 30 s", e);
                next = clock.instant().plusSeconds(30);
            }
            synchronized (lock) {
                if (!changed && !closed) {
                    long ms = next == null ? MAX_SLEEP.toMillis()
                            : Math.min(MAX_SLEEP.toMillis(), Duration.between(clock.instant(), next).toMillis());
                    if (ms > 0) {
                        try {
                            lock.wait(ms);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                }
                changed = false;
            }
        }
    }

    /**
     * Claims every run due now and submits its group; returns when the next task is due (null: none is). A task
     * whose due time was missed (claw4j was down) runs once now, or not at all with catch-up "skip": never a burst.
     */
    public Instant tick() {
        ticks++;
        Instant now = clock.instant();
        store.finishAnsweredRuns(now); // a run answered just before a crash is recorded as finished
        while (true) {
            List<Task> due = store.due(now, BATCH);
            for (Task t : due) {
                fire(t, now);
            }
            if (due.size() < BATCH) {
                break;
            }
        }
        return store.earliestDue().orElse(null);
    }

    private void fire(Task t, Instant now) {
        Instant following = t.schedule().nextAfter(now).orElse(null);
        boolean missed = t.nextDue().isBefore(now.minus(tasks.settings().catchUpGrace()));
        if (missed && t.catchUp() == Task.CatchUp.SKIP) {
            if (store.skip(t, following, now)) {
                audit.audit(t.groupId(), "task.skipped", "task #" + t.id() + " missed its run at " + t.nextDue()
                        + " (catch-up: skip); next " + following);
            }
            return;
        }
        Optional<TaskStore.Claimed> claimed = store.claim(t, following, now, "scheduled task #" + t.id(), text(t));
        if (claimed.isEmpty()) {
            return; // another host (or a change) was first: nothing was written
        }
        claimListener.claimed(t, claimed.get());
        audit.audit(t.groupId(), "task.claimed", "task #" + t.id() + " run " + claimed.get().runId() + " due "
                + t.nextDue() + (missed ? " (missed while claw4j was down; catch-up: once)" : ""));
        submit.accept(t.groupId());
    }

    /** What the agent reads as the run's message (the check's data is added when the run starts). */
    static String text(Task t) {
        return "[scheduled task #" + t.id() + ", " + t.schedule().describe() + "]\n" + t.prompt();
    }

    @Override
    public void close() {
        closed = true;
        wake();
        if (thread != null) {
            try {
                thread.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
