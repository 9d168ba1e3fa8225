package dev.claw4j.core.turn;

import dev.claw4j.core.store.MessageStatus;
import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoredInbound;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.HostMessage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Messages handed to a running turn. The agent says in {@code turn.done} how many it took; the rest
 * (sent too late to be seen) go back to waiting, so each message is answered exactly once.
 */
final class FollowUps {
    private final Store store;
    private final AgentChannel channel;
    private final String turnId;
    private final String groupId;
    private final Set<Long> inTurn;
    private final StoredInbound chat;
    private final List<Long> offered = new ArrayList<>();
    private boolean closed;
    private boolean returnedAny;

    FollowUps(Store store, AgentChannel channel, String turnId, String groupId, StoredInbound chat, List<Long> started) {
        this.store = store;
        this.channel = channel;
        this.turnId = turnId;
        this.groupId = groupId;
        this.inTurn = new HashSet<>(started);
        this.chat = chat;
    }

    /** Passes the message to the agent; false when the turn no longer takes follow-ups. */
    synchronized boolean offer(long messageId) {
        if (closed) {
            return false;
        }
        if (inTurn.contains(messageId)) {
            return true;
        }
        StoredInbound m = store.messages().pendingInbound(messageId).orElse(null);
        if (m == null || !groupId.equals(m.groupId())) {
            return true; // already handled elsewhere
        }
        if (!sameChat(chat, m)) {
            return false; // another chat of this group: answered in its own turn, in its own chat
        }
        store.messages().setStatus(List.of(messageId), MessageStatus.RUNNING);
        if (!channel.send(new HostMessage.TurnMessage(turnId,
                List.of(new ChatMessage(m.senderName(), m.text(), m.receivedAt().toString()))))) {
            store.messages().setStatus(List.of(messageId), MessageStatus.PENDING);
            return false;
        }
        inTurn.add(messageId);
        offered.add(messageId);
        return true;
    }

    /** Ends the hand-over: the first {@code taken} offered messages belong to the turn; the rest wait again. */
    synchronized List<Long> close(int taken) {
        closed = true;
        int n = Math.min(Math.max(taken, 0), offered.size());
        List<Long> returned = offered.subList(n, offered.size());
        if (!returned.isEmpty()) {
            store.messages().setStatus(List.copyOf(returned), MessageStatus.PENDING);
            returnedAny = true;
        }
        return List.copyOf(offered.subList(0, n));
    }

    synchronized boolean returnedAny() {
        return returnedAny;
    }

    /** Whether two messages are of one conversation: same platform, chat and thread. */
    static boolean sameChat(StoredInbound a, StoredInbound b) {
        return a.platform().equals(b.platform()) && a.chatId().equals(b.chatId())
                && java.util.Objects.equals(a.threadId(), b.threadId());
    }
}
