package dev.claw4j.core.task;

import java.time.Instant;

/** One claimed run of a task. {@code outcome} is CLAIMED until the run has finished. */
public record TaskRun(long id, long taskId, String groupId, long messageId, Instant dueAt, Instant claimedAt,
                      Instant finishedAt, String outcome, long tokens, String detail) {
    public static final String CLAIMED = "CLAIMED";
    public static final String OK = "OK";
    public static final String FAILED = "FAILED";
    public static final String NO_WAKE = "NO_WAKE";
    public static final String CANCELLED = "CANCELLED";
    /** The group's budget was used up: the run did not call the model (not a failure of the task). */
    public static final String OVER_BUDGET = "OVER_BUDGET";
}
