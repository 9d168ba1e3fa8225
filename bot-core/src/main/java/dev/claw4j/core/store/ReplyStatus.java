package dev.claw4j.core.store;

/**
 * Where a reply (an outbound message in the outbox) stands; the names are what the {@code messages.status} column
 * holds. The moves a reply may make are listed here and nowhere else ({@link #canMoveTo}).
 */
public enum ReplyStatus {
    /** Waits for its (next) delivery attempt. */
    PENDING,
    /** Claimed by one delivery attempt. */
    SENDING,
    /** The platform took it. */
    DELIVERED,
    /** Delivery was given up. */
    FAILED;

    /** True when a reply in this status may move to {@code next}. */
    public boolean canMoveTo(ReplyStatus next) {
        return switch (this) {
            case PENDING -> next == SENDING || next == DELIVERED || next == FAILED;
            // back to PENDING: the attempt failed and will be retried, or the host died while sending
            case SENDING -> next == PENDING || next == DELIVERED || next == FAILED;
            case DELIVERED, FAILED -> false;
        };
    }

    /** Checks a move; an illegal one throws, naming both ends. */
    public ReplyStatus requireMoveTo(ReplyStatus next) {
        if (!canMoveTo(next)) {
            throw new IllegalStateException("a reply cannot move from " + this + " to " + next
                    + "; this is a bug in the caller: see ReplyStatus.canMoveTo for the allowed moves");
        }
        return next;
    }
}
