package dev.claw4j.core.task;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
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

    private final DataSource db;

    public TaskStore(DataSource db) {
        this.db = db;
    }

    public long insert(NewTask t, Instant now) {
        return tx("storing a task for " + t.groupId(), c -> {
            try (var ps = c.prepareStatement("INSERT INTO scheduled_tasks (group_id, platform, chat_id, thread_id, "
                    + "prompt, schedule_kind, schedule_expr, time_zone, context_mode, check_command, catch_up, status, "
                    + "next_due, failures, created_by, created_at, updated_at) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'ACTIVE', ?, 0, ?, ?, ?)",
                    Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, t.groupId());
                ps.setString(2, t.platform());
                ps.setString(3, t.chatId());
                ps.setString(4, t.threadId());
                ps.setString(5, t.prompt());
                ps.setString(6, t.schedule().kind());
                ps.setString(7, t.schedule().expression());
                ps.setString(8, t.schedule().zone());
                ps.setString(9, t.context().name());
                ps.setString(10, t.check());
                ps.setString(11, t.catchUp().name());
                ps.setTimestamp(12, ts(t.firstDue()));
                ps.setString(13, t.createdBy());
                ps.setTimestamp(14, ts(now));
                ps.setTimestamp(15, ts(now));
                ps.executeUpdate();
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    keys.next();
                    return keys.getLong(1);
                }
            }
        });
    }

    public Optional<Task> get(long id) {
        return tx("reading task " + id, c -> {
            try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM scheduled_tasks WHERE id = ?")) {
                ps.setLong(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(task(rs)) : Optional.empty();
                }
            }
        });
    }

    /** A group's tasks that are not cancelled, oldest first; {@code groupId} null means every group's. */
    public List<Task> list(String groupId) {
        return tx("listing tasks", c -> {
            try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM scheduled_tasks WHERE status <> 'CANCELLED' "
                    + (groupId == null ? "" : "AND group_id = ? ") + "ORDER BY id")) {
                if (groupId != null) {
                    ps.setString(1, groupId);
                }
                return tasks(ps);
            }
        });
    }

    public int countActive() {
        return tx("counting tasks", c -> {
            try (var ps = c.prepareStatement("SELECT COUNT(*) FROM scheduled_tasks WHERE status = 'ACTIVE'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        });
    }

    /** Active tasks due at {@code now}, the longest overdue first. */
    public List<Task> due(Instant now, int limit) {
        return tx("reading due tasks", c -> {
            try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM scheduled_tasks WHERE status = 'ACTIVE' "
                    + "AND next_due <= ? ORDER BY next_due, id FETCH FIRST " + limit + " ROWS ONLY")) {
                ps.setTimestamp(1, ts(now));
                return tasks(ps);
            }
        });
    }

    /** When the next active task is due; empty when none is. */
    public Optional<Instant> earliestDue() {
        return tx("reading the next due time", c -> {
            try (var ps = c.prepareStatement("SELECT MIN(next_due) FROM scheduled_tasks WHERE status = 'ACTIVE'");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                Timestamp t = rs.getTimestamp(1);
                return Optional.ofNullable(t).map(Timestamp::toInstant);
            }
        });
    }

    /**
     * Claims the run of {@code task} due at its {@code nextDue}, in one transaction: the task moves on to
     * {@code following} (null: no further run) only if it is still active and still due at the time this host read,
     * the run row is inserted, and so is the run's inbound message (PENDING). Empty when another claimer was first
     * or the task changed meanwhile: then nothing was written.
     */
    public Optional<Claimed> claim(Task task, Instant following, Instant now, String senderName, String text) {
        return tx("claiming a run of task " + task.id(), c -> {
            long runId;
            try (var ps = c.prepareStatement("INSERT INTO task_runs (task_id, group_id, due_at, claimed_at, outcome) "
                    + "VALUES (?, ?, ?, ?, 'CLAIMED')", Statement.RETURN_GENERATED_KEYS)) {
                ps.setLong(1, task.id());
                ps.setString(2, task.groupId());
                ps.setTimestamp(3, ts(task.nextDue()));
                ps.setTimestamp(4, ts(now));
                ps.executeUpdate();
                runId = key(ps);
            }
            try (var ps = c.prepareStatement("UPDATE scheduled_tasks SET next_due = ?, claimed_run = ?, updated_at = ? "
                    + "WHERE id = ? AND status = 'ACTIVE' AND next_due = ?")) {
                ps.setTimestamp(1, ts(following));
                ps.setLong(2, runId);
                ps.setTimestamp(3, ts(now));
                ps.setLong(4, task.id());
                ps.setTimestamp(5, ts(task.nextDue()));
                if (ps.executeUpdate() != 1) {
                    c.rollback();
                    return Optional.<Claimed>empty();
                }
            }
            long messageId;
            try (var ps = c.prepareStatement("INSERT INTO messages (direction, platform, chat_id, thread_id, sender_id, "
                    + "sender_name, text, platform_message_id, group_id, status, created_at, updated_at) "
                    + "VALUES ('in', ?, ?, ?, ?, ?, ?, ?, ?, 'PENDING', ?, ?)", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, task.platform());
                ps.setString(2, task.chatId());
                ps.setString(3, task.threadId());
                ps.setString(4, "claw4j:task:" + task.id());
                ps.setString(5, senderName);
                ps.setString(6, text);
                // unique per run: a second insert for one run would fail the whole claim
                ps.setString(7, "claw4j-task-run:" + runId);
                ps.setString(8, task.groupId());
                ps.setTimestamp(9, ts(now));
                ps.setTimestamp(10, ts(now));
                ps.executeUpdate();
                messageId = key(ps);
            }
            try (var ps = c.prepareStatement("UPDATE task_runs SET message_id = ? WHERE id = ?")) {
                ps.setLong(1, messageId);
                ps.setLong(2, runId);
                ps.executeUpdate();
            }
            return Optional.of(new Claimed(runId, messageId, task.groupId()));
        });
    }

    /** Moves a due task on without a run (catch-up "skip"); false when it changed meanwhile. */
    public boolean skip(Task task, Instant following, Instant now) {
        return tx("skipping missed runs of task " + task.id(), c -> {
            try (var ps = c.prepareStatement("UPDATE scheduled_tasks SET next_due = ?, updated_at = ? "
                    + "WHERE id = ? AND status = 'ACTIVE' AND next_due = ?")) {
                ps.setTimestamp(1, ts(following));
                ps.setTimestamp(2, ts(now));
                ps.setLong(3, task.id());
                ps.setTimestamp(4, ts(task.nextDue()));
                return ps.executeUpdate() == 1;
            }
        });
    }

    /**
     * Changes a task's status from one of {@code from} to {@code to}, within the group (null: any group, for the
     * operator); {@code nextDue} is set too. False when no such task is in such a state.
     */
    public boolean setStatus(long id, String groupId, List<Task.Status> from, Task.Status to, Instant nextDue,
                             boolean resetFailures, Instant now) {
        return tx("changing task " + id, c -> {
            String in = String.join(", ", from.stream().map(s -> "'" + s.name() + "'").toList());
            try (var ps = c.prepareStatement("UPDATE scheduled_tasks SET status = ?, next_due = ?, updated_at = ?"
                    + (resetFailures ? ", failures = 0" : "") + " WHERE id = ? AND status IN (" + in + ")"
                    + (groupId == null ? "" : " AND group_id = ?"))) {
                ps.setString(1, to.name());
                ps.setTimestamp(2, ts(nextDue));
                ps.setTimestamp(3, ts(now));
                ps.setLong(4, id);
                if (groupId != null) {
                    ps.setString(5, groupId);
                }
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** Sets when an active task is next due (a manual run now); false when it is not active. */
    public boolean dueAt(long id, Instant at, Instant now) {
        return tx("moving task " + id, c -> {
            try (var ps = c.prepareStatement("UPDATE scheduled_tasks SET next_due = ?, updated_at = ? "
                    + "WHERE id = ? AND status = 'ACTIVE'")) {
                ps.setTimestamp(1, ts(at));
                ps.setTimestamp(2, ts(now));
                ps.setLong(3, id);
                return ps.executeUpdate() == 1;
            }
        });
    }

    /** The runs behind these inbound messages, by message id (messages that are no task run are absent). */
    public Map<Long, TaskRun> runsForMessages(List<Long> messageIds) {
        Map<Long, TaskRun> out = new HashMap<>();
        if (messageIds.isEmpty()) {
            return out;
        }
        return tx("reading task runs", c -> {
            String in = String.join(", ", messageIds.stream().map(i -> "?").toList());
            try (var ps = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM task_runs WHERE message_id IN (" + in + ")")) {
                for (int i = 0; i < messageIds.size(); i++) {
                    ps.setLong(i + 1, messageIds.get(i));
                }
                for (TaskRun r : runs(ps)) {
                    out.put(r.messageId(), r);
                }
            }
            return out;
        });
    }

    public List<TaskRun> runs(long taskId, int limit) {
        return tx("reading runs of task " + taskId, c -> {
            try (var ps = c.prepareStatement("SELECT " + RUN_COLUMNS + " FROM task_runs WHERE task_id = ? "
                    + "ORDER BY id DESC FETCH FIRST " + limit + " ROWS ONLY")) {
                ps.setLong(1, taskId);
                return runs(ps);
            }
        });
    }

    /** Every run row, for tests and the bench: how many runs each outcome has. */
    public Map<String, Integer> outcomes(long taskId) {
        return tx("counting runs of task " + taskId, c -> {
            try (var ps = c.prepareStatement("SELECT outcome, COUNT(*) FROM task_runs WHERE task_id = ? GROUP BY outcome")) {
                ps.setLong(1, taskId);
                Map<String, Integer> out = new HashMap<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.put(rs.getString(1), rs.getInt(2));
                    }
                }
                return out;
            }
        });
    }

    public void started(long runId, Instant now) {
        tx("starting run " + runId, c -> {
            try (var ps = c.prepareStatement("UPDATE task_runs SET started_at = ? WHERE id = ? AND started_at IS NULL")) {
                ps.setTimestamp(1, ts(now));
                ps.setLong(2, runId);
                ps.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Records how a run ended, once (a run already finished stays as it was: false), and updates its task in the
     * same transaction: after success the failure count is reset (and a single-time task is done); after a run
     * stopped by the budget a single-time task is due again at {@code retryAt}; after a failure the count grows and the task is next due at {@code retryAt}, or paused when it reached {@code pauseAfter}.
     * Returns the task as it is now, or empty when the run had already been finished.
     */
    public Optional<Task> finish(TaskRun run, String outcome, long tokens, String detail, Instant now,
                                 Instant retryAt, int pauseAfter) {
        return tx("finishing run " + run.id(), c -> {
            try (var ps = c.prepareStatement("UPDATE task_runs SET outcome = ?, tokens = ?, detail = ?, finished_at = ? "
                    + "WHERE id = ? AND outcome = 'CLAIMED'")) {
                ps.setString(1, outcome);
                ps.setLong(2, tokens);
                ps.setString(3, detail == null ? null : detail.substring(0, Math.min(detail.length(), 2000)));
                ps.setTimestamp(4, ts(now));
                ps.setLong(5, run.id());
                if (ps.executeUpdate() != 1) {
                    return Optional.<Task>empty();
                }
            }
            if (outcome.equals(TaskRun.FAILED)) {
                try (var ps = c.prepareStatement("UPDATE scheduled_tasks SET failures = failures + 1, "
                        + "status = CASE WHEN failures + 1 >= ? THEN 'PAUSED' ELSE status END, "
                        + "next_due = CASE WHEN failures + 1 >= ? THEN next_due ELSE ? END, updated_at = ? "
                        + "WHERE id = ? AND status = 'ACTIVE'")) {
                    ps.setInt(1, pauseAfter);
                    ps.setInt(2, pauseAfter);
                    ps.setTimestamp(3, ts(retryAt));
                    ps.setTimestamp(4, ts(now));
                    ps.setLong(5, run.taskId());
                    ps.executeUpdate();
                }
            } else if (outcome.equals(TaskRun.OVER_BUDGET)) {
                // not the task's fault: its failure count stays, and a single-time task that never ran is tried
                // again at retryAt rather than done without its answer
                try (var ps = c.prepareStatement("UPDATE scheduled_tasks SET next_due = CASE WHEN schedule_kind = "
                        + "'once' AND next_due IS NULL THEN ? ELSE next_due END, updated_at = ? "
                        + "WHERE id = ? AND status = 'ACTIVE'")) {
                    ps.setTimestamp(1, ts(retryAt));
                    ps.setTimestamp(2, ts(now));
                    ps.setLong(3, run.taskId());
                    ps.executeUpdate();
                }
            } else {
                try (var ps = c.prepareStatement("UPDATE scheduled_tasks SET failures = 0, "
                        + "status = CASE WHEN schedule_kind = 'once' AND next_due IS NULL AND status = 'ACTIVE' "
                        + "THEN 'DONE' ELSE status END, updated_at = ? WHERE id = ?")) {
                    ps.setTimestamp(1, ts(now));
                    ps.setLong(2, run.taskId());
                    ps.executeUpdate();
                }
            }
            try (var ps = c.prepareStatement("SELECT " + COLUMNS + " FROM scheduled_tasks WHERE id = ?")) {
                ps.setLong(1, run.taskId());
                List<Task> t = tasks(ps);
                return t.isEmpty() ? Optional.<Task>empty() : Optional.of(t.getFirst());
            }
        });
    }

    /**
     * Runs a previous process claimed and never finished: those whose message was answered (or given up) before
     * the crash are finished now from the message's status; the others wait for their message's turn (the host
     * re-queues PENDING and cut-off messages at start). Returns how many were finished here.
     */
    public int finishAnsweredRuns(Instant now) {
        return tx("finishing runs answered before a restart", c -> {
            try (var ps = c.prepareStatement("UPDATE task_runs SET finished_at = ?, outcome = CASE WHEN "
                    + "(SELECT m.status FROM messages m WHERE m.id = task_runs.message_id) = 'DONE' THEN 'OK' "
                    + "ELSE 'FAILED' END, detail = 'finished before a restart' WHERE outcome = 'CLAIMED' "
                    + "AND (SELECT m.status FROM messages m WHERE m.id = task_runs.message_id) IN ('DONE', 'FAILED')")) {
                ps.setTimestamp(1, ts(now));
                return ps.executeUpdate();
            }
        });
    }

    // ---------------------------------------------------------------- plumbing

    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T tx(String what, Work<T> work) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(what + " failed in the database: " + e.getMessage(), e);
        }
    }

    private static List<Task> tasks(PreparedStatement ps) throws SQLException {
        List<Task> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(task(rs));
            }
        }
        return out;
    }

    private static Task task(ResultSet rs) throws SQLException {
        return new Task(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), Schedule.stored(rs.getString(7), rs.getString(8), rs.getString(9)),
                Task.Context.valueOf(rs.getString(10)), rs.getString(11), Task.CatchUp.valueOf(rs.getString(12)),
                Task.Status.valueOf(rs.getString(13)), instant(rs.getTimestamp(14)), rs.getInt(15), rs.getString(16),
                instant(rs.getTimestamp(17)));
    }

    private static List<TaskRun> runs(PreparedStatement ps) throws SQLException {
        List<TaskRun> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(new TaskRun(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getLong(4),
                        instant(rs.getTimestamp(5)), instant(rs.getTimestamp(6)), instant(rs.getTimestamp(7)),
                        rs.getString(8), rs.getLong(9), rs.getString(10)));
            }
        }
        return out;
    }

    private static long key(PreparedStatement ps) throws SQLException {
        try (ResultSet keys = ps.getGeneratedKeys()) {
            keys.next();
            return keys.getLong(1);
        }
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

    /** Stored to the millisecond, so a value read back compares equal in the claim's WHERE clause. */
    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i.truncatedTo(ChronoUnit.MILLIS));
    }

}
