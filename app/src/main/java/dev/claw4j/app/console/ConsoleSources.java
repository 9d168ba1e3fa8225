package dev.claw4j.app.console;

import dev.claw4j.core.budget.GroupUsage;
import dev.claw4j.core.budget.Limits;
import java.util.List;
import java.util.Optional;

/**
 * The console's plug-in place for what other parts of claw4j bring later: budget figures per group and the
 * scheduled tasks. {@link #NONE} is what this build has: no budgets configured, no scheduler. Wire a real one
 * in {@code Claw4j} (where the console is made); the pages already show whatever it returns.
 */
public interface ConsoleSources {
    /**
     * A group's spending against its budget as one short line, e.g. {@code "$0.12 of $5.00 today, $1.40 of $50.00
     * this month"}; empty when budgets are not configured.
     */
    Optional<String> budget(String groupId);

    /** The budget limits in force for a group, where they come from, and the currency; empty without budgets. */
    default Optional<BudgetLimits> budgetLimits(String groupId) {
        return Optional.empty();
    }

    /** Replaces the group's limits with these from now on; returns what to tell the operator. */
    default String setBudgetOverride(String groupId, Limits limits) {
        return "budgets are not available in this build";
    }

    /** Goes back to the config's limits for the group; returns what to tell the operator. */
    default String clearBudgetOverride(String groupId) {
        return "budgets are not available in this build";
    }

    record BudgetLimits(Limits limits, GroupUsage.Source source, String currency) {}

    /** The scheduled tasks; empty when the scheduler is not available in this build. */
    Optional<List<Task>> tasks();

    /** Pauses, resumes or runs a task now; returns what to tell the operator. */
    String taskAction(String taskId, TaskAction action);

    /** One scheduled task as the tasks page shows it (times as the scheduler words them). */
    record Task(String id, String groupId, String schedule, String nextRun, String state, String what) {}

    enum TaskAction { PAUSE, RESUME, RUN_NOW }

    ConsoleSources NONE = new ConsoleSources() {
        @Override
        public Optional<String> budget(String groupId) {
            return Optional.empty();
        }

        @Override
        public Optional<List<Task>> tasks() {
            return Optional.empty();
        }

        @Override
        public String taskAction(String taskId, TaskAction action) {
            return "scheduled tasks are not available in this build";
        }
    };
}
