package dev.claw4j.app.admin;

import java.util.List;

/**
 * Scheduled tasks as the operator manages them, every group's: the running host's admin endpoint
 * ({@link AdminClient}) or, when no host runs, the database itself ({@link TasksAdmin}). The records are the
 * endpoint's JSON.
 */
public interface TasksApi {
    /** One task; times are ISO-8601, {@code nextDue} null when none is planned. */
    record TaskLine(long id, String groupId, String platform, String chatId, String status, String schedule,
                    String nextDue, boolean hasCheck, int failures, String prompt, String line) {}

    /** What a change did: {@code ok}, or why not and what to do. */
    record Changed(boolean ok, String message) {}

    List<TaskLine> tasks();

    /** {@code action}: pause, resume, cancel or run (due now, claimed like any run). */
    Changed change(String action, long id);
}
