package dev.claw4j.app.admin;

import dev.claw4j.core.store.Store;
import dev.claw4j.core.task.Task;
import dev.claw4j.core.task.Tasks;
import java.util.List;

/** The operator's task operations on {@link Tasks} (no group: every group's tasks), audited with who did them. */
public final class TasksAdmin implements TasksApi {
    private final Tasks tasks;
    private final Store store;
    private final String actor;

    public TasksAdmin(Tasks tasks, Store store, String actor) {
        this.tasks = tasks;
        this.store = store;
        this.actor = actor;
    }

    @Override
    public List<TaskLine> tasks() {
        return tasks.list(null).stream().map(TasksAdmin::line).toList();
    }

    @Override
    public Changed change(String action, long id) {
        Tasks.Change c = switch (action) {
            case "pause" -> tasks.pause(null, id);
            case "resume" -> tasks.resume(null, id);
            case "cancel" -> tasks.cancel(null, id);
            case "run" -> tasks.runNow(id);
            default -> new Tasks.Change.Refused("unknown action '" + action + "'; use pause, resume, cancel or run");
        };
        return switch (c) {
            case Tasks.Change.Done d -> {
                store.audit().record(d.task().groupId(), "task." + action, "task #" + id + " by " + actor, null);
                yield new Changed(true, action.equals("run") ? "task #" + id + " is due now: " + d.task().describe()
                        : d.task().describe());
            }
            case Tasks.Change.Refused r -> new Changed(false, r.why());
            case Tasks.Change.NotFound n -> new Changed(false, "there is no task #" + id
                    + "; ./claw4j tasks list shows them");
        };
    }

    static TaskLine line(Task t) {
        return new TaskLine(t.id(), t.groupId(), t.platform(), t.chatId(),
                t.status().name().toLowerCase(java.util.Locale.ROOT), t.schedule().describe(),
                t.nextDue() == null ? null : t.nextDue().toString(), t.check() != null, t.failures(), t.prompt(),
                t.describe());
    }
}
