package dev.claw4j.core.turn;

/** Shows people that their agent is working (typing indicators, reactions). Best effort, never throws. */
public interface Presence {
    /** {@code failed} is true only at the end of a turn that failed. */
    void working(String platform, String chatId, String threadId, boolean busy, boolean failed);

    /** Where a turn's status message goes on {@code platform}; null when it shows none. */
    default Progress.Sink progress(String platform) {
        return null;
    }
}
