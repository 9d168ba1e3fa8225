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
        String was = describe(budgets.limits(groupId));
        budgets.setOverride(groupId, limits, actor);
        store.audit(groupId, "budget.override", "set by " + actor + ": " + describe(limits) + " (was " + was + ")", null);
        return "Set the budget override of " + groupId + ": " + describe(limits) + ".";
    }

    @Override
    public String clearBudgetOverride(String groupId) {
        String was = describe(budgets.limits(groupId));
        if (!budgets.clearOverride(groupId)) {
            return groupId + " had no budget override; its limits come from the config.";
        }
        Budgets.InForce now = budgets.limits(groupId);
        store.audit(groupId, "budget.override.cleared", "by " + actor + " (was " + was + "; now " + describe(now) + ")",
                null);
        return "Cleared the budget override of " + groupId + ": " + describe(now) + ".";
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

    /** "daily tokens 2,000 · monthly cost 50 USD", or "no limits". */
    private String describe(Limits limits) {
        if (limits.none()) {
            return "no limits";
        }
        StringBuilder out = new StringBuilder();
        for (Limit l : Limit.values()) {
            if (limits.of(l) != null) {
                out.append(out.isEmpty() ? "" : " · ").append(name(l)).append(' ').append(budgets.amount(l, limits.of(l)));
            }
        }
        return out.toString();
    }

    static String name(Limit limit) {
        return switch (limit) {
            case DAILY_TOKENS -> "daily tokens";
            case MONTHLY_TOKENS -> "monthly tokens";
            case DAILY_COST -> "daily cost";
            case MONTHLY_COST -> "monthly cost";
        };
    }
}
