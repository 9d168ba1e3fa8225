package dev.claw4j.core.turn;

/** Shows people that their agent is working (typing indicators, reactions). Best effort, never throws. */
public interface Presence {
    void working(String platform, String chatId, String threadId, boolean busy);
}
