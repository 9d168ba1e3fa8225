package dev.claw4j.core.task;

import java.time.Instant;

/** A scheduled task as stored. {@code check} is null when the task has none. */
public record Task(long id, String groupId, String platform, String chatId, String threadId, String prompt,
                   Schedule schedule, Context context, String check, CatchUp catchUp, Status status,
                   Instant nextDue, int failures, String createdBy, Instant createdAt) {

    /** Which conversation a run continues: the chat's own, or a new one each run. */
    public enum Context { CHAT, FRESH }

    /** What happens to runs missed while claw4j was down: one run at start (never a burst), or none. */
    public enum CatchUp { ONCE, SKIP }

    public enum Status { ACTIVE, PAUSED, CANCELLED, DONE }

    /** One line for lists in chat and on the command line. */
    public String describe() {
        return "#" + id + " " + status.name().toLowerCase(java.util.Locale.ROOT) + " · " + schedule.describe()
                + (nextDue == null || status != Status.ACTIVE ? "" : " · next " + nextDue)
                + (check == null ? "" : " · with check")
                + (context == Context.CHAT ? " · in the chat's conversation" : "")
                + (failures == 0 ? "" : " · " + failures + " failure(s) in a row")
                + " · " + Tasks.shorten(prompt, 80);
    }
}
