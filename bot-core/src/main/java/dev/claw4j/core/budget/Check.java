package dev.claw4j.core.budget;

import java.util.List;

/** Whether a group may make another model call. */
public sealed interface Check {
    /** Under 80 % of every limit (or no limits). */
    record Allowed() implements Check {}

    /** Every limit at or past 80 % and under 100 %; the call may go. */
    record Warn(List<Reading> near) implements Check {}

    /** A limit is used up: no model call goes out until its period ends or it is raised. */
    record Exhausted(Reading reached) implements Check {}
}
