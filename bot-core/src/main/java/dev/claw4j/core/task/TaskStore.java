package dev.claw4j.core.task;

import dev.claw4j.core.cluster.Cluster;
import dev.claw4j.core.cluster.Fence;
import dev.claw4j.core.store.Jdbc;
import dev.claw4j.core.store.Tx;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The task tables. Every change that must happen once is one statement or one transaction whose WHERE clause
 * holds only for the state its caller read, so it stays right with several hosts on one PostgreSQL.
 */
public final class TaskStore {
    private static final String COLUMNS = "id, group_id, platform, chat_id, thread_id, prompt, schedule_kind, "
            + "schedule_expr, time_zone, context_mode, check_command, catch_up, status, next_due, failures, "
            + "created_by, created_at";
    private static final String RUN_COLUMNS = "id, task_id, group_id, message_id, due_at, claimed_at, finished_at, "
            + "outcome, tokens, detail";

    /** A task to store. */
    public record NewTask(String groupId, String platform, String chatId, String threadId, String prompt,
                          Schedule schedule, Task.Context context, String check, Task.CatchUp catchUp,
                          Instant firstDue, String createdBy) {}

    /** A run this host claimed: its row and its inbound message (PENDING, in the task's group). */
    public record Claimed(long runId, long messageId, String groupId) {}

    private final Jdbc jdbc;

    public TaskStore(DataSource db) {
        this.jdbc = new Jdbc(db);
    }

    public long insert(NewTask t, Instant now) {
        return jdbc.inTransaction("storing a task for " + t.groupId(), tx -> tx.insert("INSERT INTO scheduled_tasks "
                + "(group_id, platform, chat_id, thread_id, prompt, schedule_kind, schedule_expr, time_zone, "
                + "context_mode, check_command, catch_up, status, next_due, failures, created_by, created_at, "
                + "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, 0, ?, ?, ?)", t.groupId(),
                t.platform(), t.chatId(), t.threadId(), t.prompt(), t.schedule().kind(), t.schedule().expression(),
                t.schedule().zone(), t.context(), t.check(), t.catchUp(), ts(t.firstDue()), t.createdBy(), ts(now),
                ts(now)));
    }

    public Optional<Task> get(long id) {
        return jdbc.run("reading task " + id, tx -> get(tx, id));
    }

    private static Optional<Task> get(Tx tx, long id) throws SQLException {
        return tx.optional("SELECT " + COLUMNS + " FROM scheduled_tasks WHERE id = ?", TaskStore::task, id);
    }

    /** A group's tasks that are not cancelled, oldest first; {@code groupId} null means every group's. */
    public List<Task> list(String groupId) {
        return jdbc.run("listing tasks", tx -> groupId == null
                ? tx.list("SELECT " + COLUMNS + " FROM scheduled_tasks WHERE status <> 'CANCELLED' ORDER BY id",
                        TaskStore::task)
                : tx.list("SELECT " + COLUMNS + " FROM scheduled_tasks WHERE status <> 'CANCELLED' AND group_id = ? "
                        + "ORDER BY id", TaskStore::task, groupId));
    }

    public int countActive() {
        return jdbc.run("counting tasks", tx -> tx.one("SELECT COUNT(*) FROM scheduled_tasks WHERE status = 'ACTIVE'",
                rs -> rs.getInt(1)));
    }

    /** Active tasks due at {@code now}, the longest overdue first. */
    public List<Task> due(Instant now, int limit) {
        return jdbc.run("reading due tasks", tx -> tx.list("SELECT " + COLUMNS + " FROM scheduled_tasks "
                + "WHERE status = 'ACTIVE' AND next_due <= ? ORDER BY next_due, id FETCH FIRST " + limit
                + " ROWS ONLY", TaskStore::task, ts(now)));
    }

    /** When the next active task is due; empty when none is. */
    public Optional<Instant> earliestDue() {
        return Optional.ofNullable(jdbc.run("reading the next due time", tx -> tx.one(
                "SELECT MIN(next_due) FROM scheduled_tasks WHERE status = 'ACTIVE'", rs -> Tx.instant(rs, 1))));
    }

    /**
     * Claims the run of {@code task} due at its {@code nextDue}, in one transaction: the task moves on to
     * {@code following} (null: no further run) only if it is still active and still due at the time this host read,
     * the run row is inserted, and so is the run's inbound message (PENDING). Empty when another claimer was first
     * or the task changed meanwhile: then nothing was written.
     */
    public Optional<Claimed> claim(Task task, Instant following, Instant now, String senderName, String text) {
        return jdbc.inTransaction("claiming a run of task " + task.id(), tx -> {
            long runId = tx.insert("INSERT INTO task_runs (task_id, group_id, due_at, claimed_at, outcome) "
                    + "VALUES (?, ?, ?, ?, 'CLAIMED')", task.id(), task.groupId(), ts(task.nextDue()), ts(now));
            if (tx.update("UPDATE scheduled_tasks SET next_due = ?, claimed_run = ?, updated_at = ? "
                    + "WHERE id = ? AND status = 'ACTIVE' AND next_due = ?", ts(following), runId, ts(now), task.id(),
                    ts(task.nextDue())) != 1) {
                tx.connection().rollback();
                return Optional.<Claimed>empty();
            }
            long messageId = tx.insert("INSERT INTO messages (direction, platform, chat_id, thread_id, sender_id, "
                    + "sender_name, text, platform_message_id, group_id, status, created_at, updated_at) "
                    + "VALUES ('in', ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)", task.platform(), task.chatId(),
                    task.threadId(), "claw4j:task:" + task.id(), senderName, text,
                    // unique per run: a second insert for one run would fail the whole claim
                    "claw4j-task-run:" + runId, task.groupId(), ts(now), ts(now));
            tx.update("UPDATE task_runs SET message_id = ? WHERE id = ?", messageId, runId);
            return Optional.of(new Claimed(runId, messageId, task.groupId()));
        });
    }

    /** Moves a due task on without a run (catch-up "skip"); false when it changed meanwhile. */
    public boolean skip(Task task, Instant following, Instant now) {
        return jdbc.run("skipping missed runs of task " + task.id(), tx -> tx.update("UPDATE scheduled_tasks "
                + "SET next_due = ?, updated_at = ? WHERE id = ? AND status = 'ACTIVE' AND next_due = ?",
                ts(following), ts(now), task.id(), ts(task.nextDue())) == 1);
    }

    /**
     * Changes a task's status from one of {@code from} to {@code to}, within the group (null: any group, for the
     * operator); {@code nextDue} is set too. False when no such task is in such a state.
     */
    public boolean setStatus(long id, String groupId, List<Task.Status> from, Task.Status to, Instant nextDue,
                             boolean resetFailures, Instant now) {
        String in = String.join(", ", from.stream().map(s -> "'" + s.name() + "'").toList());
        String sql = "UPDATE scheduled_tasks SET status = ?, next_due = ?, updated_at = ?"
                + (resetFailures ? ", failures = 0" : "") + " WHERE id = ? AND status IN (" + in + ")";
        return jdbc.run("changing task " + id, tx -> groupId == null
                ? tx.update(sql, to, ts(nextDue), ts(now), id)
                : tx.update(sql + " AND group_id = ?", to, ts(nextDue), ts(now), id, groupId)) == 1;
    }

    /** Sets when an active task is next due (a manual run now); false when it is not active. */
    public boolean dueAt(long id, Instant at, Instant now) {
        return jdbc.run("moving task " + id, tx -> tx.update("UPDATE scheduled_tasks SET next_due = ?, updated_at = ? "
                + "WHERE id = ? AND status = 'ACTIVE'", ts(at), ts(now), id)) == 1;
    }

    /** The runs behind these inbound messages, by message id (messages that are no task run are absent). */
    public Map<Long, TaskRun> runsForMessages(List<Long> messageIds) {
        Map<Long, TaskRun> out = new HashMap<>();
        if (messageIds.isEmpty()) {
            return out;
        }
        String in = String.join(", ", messageIds.stream().map(i -> "?").toList());
        jdbc.run("reading task runs", tx -> tx.list("SELECT " + RUN_COLUMNS + " FROM task_runs WHERE message_id IN ("
                + in + ")", TaskStore::run, messageIds.toArray())).forEach(r -> out.put(r.messageId(), r));
        return out;
    }

    public List<TaskRun> runs(long taskId, int limit) {
        return jdbc.run("reading runs of task " + taskId, tx -> tx.list("SELECT " + RUN_COLUMNS + " FROM task_runs "
                + "WHERE task_id = ? ORDER BY id DESC FETCH FIRST " + limit + " ROWS ONLY", TaskStore::run, taskId));
    }

    /** Every run row, for tests and the bench: how many runs each outcome has. */
    public Map<String, Integer> outcomes(long taskId) {
        Map<String, Integer> out = new HashMap<>();
        jdbc.run("counting runs of task " + taskId, tx -> tx.list("SELECT outcome, COUNT(*) FROM task_runs "
                + "WHERE task_id = ? GROUP BY outcome", rs -> Map.entry(rs.getString(1), rs.getInt(2)), taskId))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /**
     * Records that a run started, under the turn's fence: refused ({@link dev.claw4j.core.cluster.FencedOutException},
     * nothing written) when this host no longer holds the run's group; a null fence is no check (a lone host).
     */
    public void started(long runId, Instant now, Fence fence) {
        jdbc.inTransaction("starting run " + runId, tx -> {
            requireHeld(tx, fence, "starting task run " + runId);
            return tx.update("UPDATE task_runs SET started_at = ? WHERE id = ? AND started_at IS NULL", ts(now), runId);
        });
    }

    /** {@link #finish(TaskRun, String, long, String, Instant, Instant, int, Fence)} unfenced (a lone host, tests). */
    public Optional<Task> finish(TaskRun run, String outcome, long tokens, String detail, Instant now,
                                 Instant retryAt, int pauseAfter) {
        return finish(run, outcome, tokens, detail, now, retryAt, pauseAfter, null);
    }

    /**
     * Records how a run ended, once (a run already finished stays as it was: false), and updates its task in the
     * same transaction: after success the failure count is reset (and a single-time task is done); after a run
     * stopped by the budget a single-time task is due again at {@code retryAt}; after a failure the count grows and
     * the task is next due at {@code retryAt}, or paused when it reached {@code pauseAfter}.
     * Fenced like {@link #started}: a host that lost the run's group writes none of it, and the new holder runs it.
     * Returns the task as it is now, or empty when the run had already been finished.
     */
    public Optional<Task> finish(TaskRun run, String outcome, long tokens, String detail, Instant now,
                                 Instant retryAt, int pauseAfter, Fence fence) {
        return jdbc.inTransaction("finishing run " + run.id(), tx -> {
            requireHeld(tx, fence, "finishing task run " + run.id() + " (" + outcome + ")");
            if (tx.update("UPDATE task_runs SET outcome = ?, tokens = ?, detail = ?, finished_at = ? "
                    + "WHERE id = ? AND outcome = 'CLAIMED'", outcome, tokens,
                    detail == null ? null : detail.substring(0, Math.min(detail.length(), 2000)), ts(now),
                    run.id()) != 1) {
                return Optional.<Task>empty();
            }
            if (outcome.equals(TaskRun.FAILED)) {
                tx.update("UPDATE scheduled_tasks SET failures = failures + 1, "
                        + "status = CASE WHEN failures + 1 >= ? THEN 'PAUSED' ELSE status END, "
                        + "next_due = CASE WHEN failures + 1 >= ? THEN next_due ELSE ? END, updated_at = ? "
                        + "WHERE id = ? AND status = 'ACTIVE'", pauseAfter, pauseAfter, ts(retryAt), ts(now),
                        run.taskId());
            } else if (outcome.equals(TaskRun.OVER_BUDGET)) {
                // not the task's fault: its failure count stays, and a single-time task that never ran is tried
                // again at retryAt rather than done without its answer
                tx.update("UPDATE scheduled_tasks SET next_due = CASE WHEN schedule_kind = 'once' AND next_due IS NULL "
                        + "THEN ? ELSE next_due END, updated_at = ? WHERE id = ? AND status = 'ACTIVE'", ts(retryAt),
                        ts(now), run.taskId());
            } else {
                tx.update("UPDATE scheduled_tasks SET failures = 0, status = CASE WHEN schedule_kind = 'once' "
                        + "AND next_due IS NULL AND status = 'ACTIVE' THEN 'DONE' ELSE status END, updated_at = ? "
                        + "WHERE id = ?", ts(now), run.taskId());
            }
            return get(tx, run.taskId());
        });
    }

    /**
     * Runs a previous process claimed and never finished: those whose message was answered (or given up) before
     * the crash are finished now from the message's status; the others wait for their message's turn (the host
     * re-queues PENDING and cut-off messages at start). Returns how many were finished here.
     */
    public int finishAnsweredRuns(Instant now) {
        return jdbc.inTransaction("finishing runs answered before a restart", tx -> tx.update("UPDATE task_runs "
                + "SET finished_at = ?, outcome = CASE WHEN (SELECT m.status FROM messages m "
                + "WHERE m.id = task_runs.message_id) = 'DONE' THEN 'OK' ELSE 'FAILED' END, "
                + "detail = 'finished before a restart' WHERE outcome = 'CLAIMED' AND (SELECT m.status FROM messages m "
                + "WHERE m.id = task_runs.message_id) IN ('DONE', 'FAILED')", ts(now)));
    }

    private static void requireHeld(Tx tx, Fence fence, String what) throws SQLException {
        if (fence != null) {
            Cluster.requireHeld(tx, fence, what);
        }
    }

    private static Task task(ResultSet rs) throws SQLException {
        return new Task(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), Schedule.stored(rs.getString(7), rs.getString(8), rs.getString(9)),
                Task.Context.valueOf(rs.getString(10)), rs.getString(11), Task.CatchUp.valueOf(rs.getString(12)),
                Task.Status.valueOf(rs.getString(13)), Tx.instant(rs, 14), rs.getInt(15), rs.getString(16),
                Tx.instant(rs, 17));
    }

    private static TaskRun run(ResultSet rs) throws SQLException {
        return new TaskRun(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4), Tx.instant(rs, 5),
                Tx.instant(rs, 6), Tx.instant(rs, 7), rs.getString(8), rs.getLong(9), rs.getString(10));
    }

    /**
     * Stored to the millisecond, so a value read back compares equal in the claim's WHERE clause; a null time is a
     * typed NULL (PostgreSQL will not take an untyped one for a timestamp column).
     */
    private static Object ts(Instant i) {
        return Tx.orNull(i == null ? null : i.truncatedTo(ChronoUnit.MILLIS), Types.TIMESTAMP);
    }
}
