package dev.claw4j.core.turn.calls;

/**
 * Who is calling and where the turn answers, as the host knows it (never read from the call): the group whose
 * sandbox wrote the line, the running turn, and the chat (and thread) the turn came from.
 */
public record CallContext(String groupId, String turnId, String platform, String chatId, String threadId,
                          Auditor auditor) {

    /** Records what a host call did or refused, under the calling group. */
    @FunctionalInterface
    public interface Auditor {
        void audit(String groupId, String kind, String detail);
    }

    public void audit(String kind, String detail) {
        auditor.audit(groupId, kind, detail);
    }
}
