package dev.claw4j.core.task;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

/**
 * What people, operators and agents may do with tasks, with the rules beside it: a group reaches only its own
 * tasks (the operator, with group null, reaches all), a task without a check may not wake the model more often
 * than {@code minIntervalWithoutCheck}, failures back off and pause the task, single times in the past are refused.
 */
public final class Tasks {
    /**
     * @param minIntervalWithoutCheck the shortest gap between runs of a task that has no check
     * @param pauseAfterFailures failures in a row after which a task is paused
     * @param catchUpGrace a run this late counts as missed while claw4j was down (catch-up applies)
     */
    public record Settings(Duration minIntervalWithoutCheck, int pauseAfterFailures, Duration firstBackoff,
                           Duration maxBackoff, Duration catchUpGrace) {
        public static final Settings DEFAULTS = new Settings(Duration.ofMinutes(5), 8, Duration.ofMinutes(2),
                Duration.ofMinutes(60), Duration.ofMinutes(1));
    }

    /** What a person or agent asked for, as text fields (the host call's arguments). */
    public record Request(String prompt, String cron, String timeZone, String every, String at, String context,
                          String check, String catchUp) {}

    /** Where the task answers: the chat (and thread) it was scheduled from. */
    public record Origin(String groupId, String platform, String chatId, String threadId, String createdBy) {}

    /** The outcome of a change: done, or refused with what to do. */
    public sealed interface Change {
        record Done(Task task) implements Change {}

        /** No such task for this group (or at all): never says whether another group has it. */
        record NotFound(long id) implements Change {}

        record Refused(String why) implements Change {}
    }

    private final TaskStore store;
    private final Clock clock;
    private final Settings settings;
    private volatile Runnable onChange = () -> { };

    public Tasks(TaskStore store, Clock clock, Settings settings) {
        this.store = store;
        this.clock = clock;
        this.settings = settings;
    }

    /** Called after every change that may move the earliest due time (the scheduler wakes up). */
    public void onChange(Runnable r) {
        this.onChange = r;
    }

    /** A run finished (its task may be due again soon, after a failure): the scheduler looks again. */
    public void changed() {
        onChange.run();
    }

    /** The tasks' clock (movable in tests of a whole host). */
    public Instant now() {
        return clock.instant();
    }

    public Settings settings() {
        return settings;
    }

    public TaskStore store() {
        return store;
    }

    /** Stores a new task; throws {@link IllegalArgumentException} saying what is wrong and how to fix it. */
    public Task schedule(Origin origin, Request r) {
        String prompt = r.prompt() == null ? "" : r.prompt().strip();
        if (prompt.isEmpty()) {
            throw new IllegalArgumentException("schedule_task needs a \"prompt\": what to do at each run");
        }
        if (prompt.length() > 20_000) {
            throw new IllegalArgumentException("the prompt is " + prompt.length() + " characters; keep it under 20000");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        int given = (blank(r.cron()) ? 0 : 1) + (blank(r.every()) ? 0 : 1) + (blank(r.at()) ? 0 : 1);
        if (given != 1) {
            throw new IllegalArgumentException("give exactly one of \"cron\" (with \"timezone\", as in \"0 9 * * *\"), "
                    + "\"every\" (as in \"2h\") or \"at\" (as in \"2026-12-24T09:00\")");
        }
        Schedule schedule = !blank(r.cron()) ? Schedule.cron(r.cron(), r.timeZone())
                : !blank(r.every()) ? Schedule.every(r.every(), now)
                : Schedule.once(r.at(), r.timeZone());
        Instant first = schedule instanceof Schedule.Every e ? now.plus(e.interval())
                : schedule.nextAfter(now).orElseThrow(() -> new IllegalArgumentException(
                        "the time " + ((Schedule.Once) schedule).at() + " is in the past (now " + now + ")"));
        String check = blank(r.check()) ? null : r.check().strip();
        if (check != null && check.length() > 4000) {
            throw new IllegalArgumentException("the check is " + check.length() + " characters; keep it under 4000 "
                    + "(put a longer one in a script in the group folder and run that)");
        }
        Duration gap = Schedule.shortestGap(schedule, now);
        if (check == null && gap.compareTo(settings.minIntervalWithoutCheck()) < 0) {
            throw new IllegalArgumentException("this schedule would wake the model every " + human(gap)
                    + ", more often than every " + human(settings.minIntervalWithoutCheck()) + ". Add a \"check\": a "
                    + "shell command that runs first in the sandbox and prints {\"wake\": true, \"data\": ...} only "
                    + "when there is something to do (else {\"wake\": false}), so quiet runs cost no tokens; or run "
                    + "less often.");
        }
        Task.Context context = parse(Task.Context.class, r.context(), Task.Context.FRESH, "context", "chat or fresh");
        Task.CatchUp catchUp = parse(Task.CatchUp.class, r.catchUp(), Task.CatchUp.ONCE, "catch_up", "once or skip");
        long id = store.insert(new TaskStore.NewTask(origin.groupId(), origin.platform(), origin.chatId(),
                origin.threadId(), prompt, schedule, context, check, catchUp, first, origin.createdBy()), now);
        onChange.run();
        return store.get(id).orElseThrow();
    }

    /** The group's tasks; null means every group's (the operator). */
    public List<Task> list(String groupId) {
        return store.list(groupId);
    }

    public Change pause(String groupId, long id) {
        Optional<Task> t = visible(groupId, id);
        if (t.isEmpty()) {
            return new Change.NotFound(id);
        }
        if (!store.setStatus(id, groupId, List.of(Task.Status.ACTIVE), Task.Status.PAUSED, t.get().nextDue(), false,
                clock.instant())) {
            return new Change.Refused("task #" + id + " is " + status(t.get()) + ", not active; only an active task "
                    + "can be paused");
        }
        onChange.run();
        return new Change.Done(store.get(id).orElseThrow());
    }

    /** Resumes a paused task from now on: missed runs are not made up, failures start again from zero. */
    public Change resume(String groupId, long id) {
        Optional<Task> t = visible(groupId, id);
        if (t.isEmpty()) {
            return new Change.NotFound(id);
        }
        Instant now = clock.instant();
        Instant next = t.get().schedule().nextAfter(now).orElse(null);
        if (next == null) {
            return new Change.Refused("task #" + id + " was for a single time that has passed; schedule a new one");
        }
        if (!store.setStatus(id, groupId, List.of(Task.Status.PAUSED), Task.Status.ACTIVE, next, true, now)) {
            return new Change.Refused("task #" + id + " is " + status(t.get()) + ", not paused");
        }
        onChange.run();
        return new Change.Done(store.get(id).orElseThrow());
    }

    public Change cancel(String groupId, long id) {
        Optional<Task> t = visible(groupId, id);
        if (t.isEmpty()) {
            return new Change.NotFound(id);
        }
        if (!store.setStatus(id, groupId, List.of(Task.Status.ACTIVE, Task.Status.PAUSED, Task.Status.DONE),
                Task.Status.CANCELLED, null, false, clock.instant())) {
            return new Change.Refused("task #" + id + " is already cancelled");
        }
        onChange.run();
        return new Change.Done(store.get(id).orElseThrow());
    }

    /** The operator's "run now": the task becomes due at once (one run, claimed like any other). */
    public Change runNow(long id) {
        Optional<Task> t = store.get(id);
        if (t.isEmpty()) {
            return new Change.NotFound(id);
        }
        if (!store.dueAt(id, clock.instant(), clock.instant())) {
            return new Change.Refused("task #" + id + " is " + status(t.get()) + "; resume it first");
        }
        onChange.run();
        return new Change.Done(store.get(id).orElseThrow());
    }

    /** How long to wait after the n-th failure in a row: 2, 4, 8 … minutes, at most the maximum. */
    public Duration backoff(int failures) {
        Duration d = settings.firstBackoff();
        for (int i = 1; i < failures && d.compareTo(settings.maxBackoff()) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : d;
    }

    private Optional<Task> visible(String groupId, long id) {
        return store.get(id).filter(t -> groupId == null || t.groupId().equals(groupId));
    }

    private static String status(Task t) {
        return t.status().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String value, E fallback, String name, String allowed) {
        if (blank(value)) {
            return fallback;
        }
        try {
            return Enum.valueOf(type, value.strip().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("\"" + name + "\" is '" + value + "'; use " + allowed);
        }
    }

    static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    static String human(Duration d) {
        if (d.toDays() > 3650) {
            return "never";
        }
        if (d.toSeconds() % 86400 == 0) {
            return d.toDays() + "d";
        }
        if (d.toSeconds() % 3600 == 0) {
            return d.toHours() + "h";
        }
        if (d.toSeconds() % 60 == 0) {
            return d.toMinutes() + " min";
        }
        return d.toSeconds() + " s";
    }

    static String shorten(String s, int max) {
        String one = s.replaceAll("\\s+", " ");
        return one.length() <= max ? one : one.substring(0, max - 1) + "…";
    }
}
