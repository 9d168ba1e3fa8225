package dev.claw4j.core.store;

import java.util.Set;

/**
 * Where an inbound message stands; the names are what the {@code messages.status} column holds. The moves a message
 * may make are listed here and nowhere else ({@link #canMoveTo}).
 */
public enum MessageStatus {
    /** Waits for a turn (or, with no group yet, for routing). */
    PENDING,
    /** A turn has it. */
    RUNNING,
    /** Answered (the reply was delivered) or deliberately left without an answer. */
    DONE,
    /** Its turn or the delivery of its answer failed for good. */
    FAILED,
    /** Its group is paused in the console; it waits for the resume. */
    PAUSED,
    /** Not addressed to the agent: kept as context only. */
    IGNORED,
    /** The sender is not allowed to talk to the agent. */
    REFUSED,
    /** The sender sent too many messages too fast. */
    RATE_LIMITED,
    /** The group's token budget was used up. */
    OVER_BUDGET;

    /** True when a message in this status may move to {@code next}. */
    public boolean canMoveTo(MessageStatus next) {
        return switch (this) {
            case PENDING -> Set.of(RUNNING, PAUSED, RATE_LIMITED, OVER_BUDGET, DONE, FAILED).contains(next);
            // back to PENDING: the turn was cut off (a crash, a stop) or handed the message back
            case RUNNING -> Set.of(PENDING, DONE, FAILED, OVER_BUDGET).contains(next);
            case PAUSED -> next == PENDING;
            case DONE, FAILED, IGNORED, REFUSED, RATE_LIMITED, OVER_BUDGET -> false;
        };
    }

    /** Checks a move; an illegal one throws, naming both ends. */
    public MessageStatus requireMoveTo(MessageStatus next) {
        if (!canMoveTo(next)) {
            throw new IllegalStateException("a message cannot move from " + this + " to " + next
                    + "; this is a bug in the caller: see MessageStatus.canMoveTo for the allowed moves");
        }
        return next;
    }
}
