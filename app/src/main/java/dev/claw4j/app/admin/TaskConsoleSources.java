package dev.claw4j.app.admin;

import dev.claw4j.app.console.ConsoleSources;
import dev.claw4j.core.budget.Limits;
import java.util.List;
import java.util.Optional;

/**
 * The scheduled tasks on the console's tasks page, through the same operator operations as {@code ./claw4j tasks};
 * budget figures come from {@code budgets} (another part of claw4j plugs them in).
 */
public final class TaskConsoleSources implements ConsoleSources {
    private final ConsoleSources budgets;
    private final TasksApi tasks;

    public TaskConsoleSources(ConsoleSources budgets, TasksApi tasks) {
        this.budgets = budgets;
        this.tasks = tasks;
    }

    @Override
    public Optional<String> budget(String groupId) {
        return budgets.budget(groupId);
    }

    @Override
    public Optional<BudgetLimits> budgetLimits(String groupId) {
        return budgets.budgetLimits(groupId);
    }

    @Override
    public String setBudgetOverride(String groupId, Limits limits) {
        return budgets.setBudgetOverride(groupId, limits);
    }

    @Override
    public String clearBudgetOverride(String groupId) {
        return budgets.clearBudgetOverride(groupId);
    }

    @Override
    public Optional<List<Task>> tasks() {
        return Optional.of(tasks.tasks().stream().map(t -> new Task(Long.toString(t.id()), t.groupId(), t.schedule(),
                t.nextDue() == null ? "-" : t.nextDue(), t.status() + (t.failures() == 0 ? ""
                        : ", " + t.failures() + " failure(s) in a row"), t.prompt())).toList());
    }

    @Override
    public String taskAction(String taskId, TaskAction action) {
        long id;
        try {
            id = Long.parseLong(taskId.strip().replaceFirst("^#", ""));
        } catch (NumberFormatException e) {
            return "'" + taskId + "' is not a task number";
        }
        return tasks.change(switch (action) {
            case PAUSE -> "pause";
            case RESUME -> "resume";
            case RUN_NOW -> "run";
        }, id).message();
    }
}
