package dev.claw4j.core.turn;

import dev.claw4j.core.store.MessageStatus;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.budget.Check;
import dev.claw4j.core.budget.GroupUsage;
import dev.claw4j.core.budget.Reading;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoredInbound;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ProtocolError;
import java.util.List;

/**
 * Where a turn meets the group's budget: before the turn (a used-up group gets no sandbox and no model call), before
 * every model call (so a long tool loop stops too), and after the turn (the 80 % warning and the 100 % notice).
 * <p>
 * A used-up limit is told once, then at most once an hour while people keep writing ({@link Budgets#EXHAUSTED_REPEAT}):
 * silence after the first notice would leave someone who joined the chat later talking to nobody, and a notice per
 * message would be a flood. Messages past the limit are kept with status {@value #OVER_BUDGET}, not answered.
 */
final class BudgetGate {
    static final String OVER_BUDGET = "OVER_BUDGET";

    interface Audit {
        void record(String groupId, String kind, String detail);
    }

    private final Budgets budgets;
    private final Store store;
    private final Outbox outbox;
    private final Audit audit;

    BudgetGate(Budgets budgets, Store store, Outbox outbox, Audit audit) {
        this.budgets = budgets;
        this.store = store;
        this.outbox = outbox;
        this.audit = audit;
    }

    /**
     * False when a limit is used up: the messages are marked {@value #OVER_BUDGET} and the chat told if due. A limit
     * past 80 % that was not told yet (an operator lowered it, or the day's first turn) is told before the turn.
     */
    boolean mayStart(String groupId, StoredInbound last, List<Long> messageIds) {
        GroupUsage usage = budgets.usageIfLimited(groupId).orElse(null);
        if (usage == null) {
            return true;
        }
        Check check = usage.check();
        if (check instanceof Check.Warn(List<Reading> near)) {
            warn(groupId, last, usage, near);
        }
        if (!(check instanceof Check.Exhausted(Reading reached))) {
            return true;
        }
        store.messages().setStatus(messageIds, MessageStatus.OVER_BUDGET);
        audit.record(groupId, "budget.exceeded", describe(usage, reached) + "; " + messageIds.size()
                + " message(s) not answered");
        if (budgets.exhaustedNoticeDue(groupId, reached.limit())) {
            outbox.send(groupId, last.platform(), last.chatId(), last.threadId(), budgets.exhaustedText(usage, reached),
                    last.id(), List.of(), false);
        }
        return false;
    }

    /** Null when the model call may go out; otherwise the refusal the agent gets instead. */
    HostMessage refusal(String groupId, AgentMessage.LlmRequest request) {
        GroupUsage usage = budgets.usageIfLimited(groupId).orElse(null);
        if (usage == null || !(usage.check() instanceof Check.Exhausted(Reading reached))) {
            return null;
        }
        audit.record(groupId, "budget.exceeded", describe(usage, reached) + "; a model call refused mid-turn");
        // the agent ends its turn with this text, so the chat is told now: the notice after the turn is not repeated
        budgets.exhaustedNoticeDue(groupId, reached.limit());
        return new ProtocolError(request.id(), ProtocolError.BUDGET_EXCEEDED, budgets.exhaustedText(usage, reached));
    }

    /** After a turn: tells the chat once about a limit used up, or once per period about each limit past 80 %. */
    void afterTurn(String groupId, StoredInbound last) {
        GroupUsage usage = budgets.usageIfLimited(groupId).orElse(null);
        if (usage == null) {
            return;
        }
        switch (usage.check()) {
            case Check.Exhausted(Reading reached) -> {
                if (budgets.exhaustedNoticeDue(groupId, reached.limit())) {
                    audit.record(groupId, "budget.exhausted", describe(usage, reached));
                    tell(groupId, last, budgets.exhaustedText(usage, reached));
                }
            }
            case Check.Warn(List<Reading> near) -> warn(groupId, last, usage, near);
            case Check.Allowed allowed -> { }
        }
    }

    /** Each limit past 80 % is told once per period (remembered in the store). */
    private void warn(String groupId, StoredInbound last, GroupUsage usage, List<Reading> near) {
        for (Reading r : near) {
            if (budgets.firstWarning(groupId, r.limit())) {
                audit.record(groupId, "budget.warning", describe(usage, r));
                tell(groupId, last, budgets.warningText(usage, r));
            }
        }
    }

    private void tell(String groupId, StoredInbound last, String text) {
        outbox.send(groupId, last.platform(), last.chatId(), last.threadId(), text, null, List.of(), false);
    }

    private String describe(GroupUsage usage, Reading r) {
        return r.limit().key() + " " + budgets.amount(r.limit(), r.used()) + " of " + budgets.amount(r.limit(), r.max())
                + " (" + usage.source().name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
