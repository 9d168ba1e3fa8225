package dev.claw4j.app.admin;

import dev.claw4j.app.console.ConsoleSources;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.budget.Limit;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.store.Store;
import java.util.List;
import java.util.Optional;

/**
 * The console's budget line and override form for a group, on {@link Budgets}; every change is written to the
 * group's audit trail ({@code budget.override}, {@code budget.override.cleared}) with who made it and what it was.
 */
public final class BudgetsAdmin implements ConsoleSources {
    private final Budgets budgets;
    private final Store store;
    private final String actor;

    /** @param store where changes are audited; null for nowhere (tests of the endpoint alone) */
    public BudgetsAdmin(Budgets budgets, Store store, String actor) {
        this.budgets = budgets;
        this.store = store;
        this.actor = actor;
    }

    @Override
    public Optional<String> budget(String groupId) {
        return budgets.summary(groupId);
    }

    @Override
    public Optional<BudgetLimits> budgetLimits(String groupId) {
        Budgets.InForce inForce = budgets.limits(groupId);
        return Optional.of(new BudgetLimits(inForce.limits(), inForce.source(), budgets.settings().currency()));
    }

    @Override
    public String setBudgetOverride(String groupId, Limits limits) {
        set(groupId, limits);
        return "Set the budget override of " + groupId + ": " + describe(limits) + ".";
    }

    @Override
    public String clearBudgetOverride(String groupId) {
        return clear(groupId) ? "Cleared the budget override of " + groupId + ": " + describe(budgets.limits(groupId)) + "."
                : groupId + " had no budget override; its limits come from the config.";
    }

    /** Sets the override and audits it with what the limits were. */
    void set(String groupId, Limits limits) {
        String was = describe(budgets.limits(groupId));
        budgets.setOverride(groupId, limits, actor);
        audit(groupId, "budget.override", "set by " + actor + ": " + describe(limits) + " (was " + was + ")");
    }

    /** Clears the override and audits it; false when there was none (nothing audited). */
    boolean clear(String groupId) {
        String was = describe(budgets.limits(groupId));
        if (!budgets.clearOverride(groupId)) {
            return false;
        }
        audit(groupId, "budget.override.cleared", "by " + actor + " (was " + was + "; now "
                + describe(budgets.limits(groupId)) + ")");
        return true;
    }

    private void audit(String groupId, String kind, String detail) {
        if (store != null) {
            store.audit().record(groupId, kind, detail, null);
        }
    }

    @Override
    public Optional<List<Task>> tasks() {
        return ConsoleSources.NONE.tasks();
    }

    @Override
    public String taskAction(String taskId, TaskAction action) {
        return ConsoleSources.NONE.taskAction(taskId, action);
    }

    private String describe(Budgets.InForce inForce) {
        return describe(inForce.limits()) + " from " + switch (inForce.source()) {
            case OVERRIDE -> "the override";
            case CONFIG_GROUP -> "the group's config";
            case DEFAULT -> "the default";
        };
    }

    /** "2,000 tokens a day · 50.00 USD a month", or "no limits". */
    private String describe(Limits limits) {
        if (limits.none()) {
            return "no limits";
        }
        StringBuilder out = new StringBuilder();
        for (Limit l : Limit.values()) {
            if (limits.of(l) != null) {
                out.append(out.isEmpty() ? "" : " · ").append(budgets.amount(l, limits.of(l)))
                        .append(l.daily() ? " a day" : " a month");
            }
        }
        return out.toString();
    }
}
