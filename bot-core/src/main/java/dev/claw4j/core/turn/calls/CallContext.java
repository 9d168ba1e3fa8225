package dev.claw4j.core.turn.calls;

import dev.claw4j.core.cluster.Fence;

/**
 * Who is calling and where the turn answers, as the host knows it (never read from the call): the group whose
 * sandbox wrote the line, the running turn, the chat (and thread) the turn came from, and the turn's fence (its
 * host's lease on the group; null on a single host without leases): what a call sends is refused once another host
 * took the group over.
 */
public record CallContext(String groupId, String turnId, String platform, String chatId, String threadId,
                          Auditor auditor, Fence fence) {

    public CallContext(String groupId, String turnId, String platform, String chatId, String threadId,
                       Auditor auditor) {
        this(groupId, turnId, platform, chatId, threadId, auditor, null);
    }

    /** Records what a host call did or refused, under the calling group. */
    @FunctionalInterface
    public interface Auditor {
        void audit(String groupId, String kind, String detail);
    }

    public void audit(String kind, String detail) {
        auditor.audit(groupId, kind, detail);
    }
}
