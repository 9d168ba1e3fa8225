package dev.claw4j.core.turn.calls;

import dev.claw4j.core.task.Task;
import dev.claw4j.core.task.Tasks;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The scheduled-task host calls. Every one is scoped to the calling sandbox's group, which the host knows (the
 * {@link CallContext}); no group, chat or owner is ever read from the call. A task id of another group is answered
 * exactly like one that does not exist, and the attempt is audited.
 */
public final class TaskCalls {
    private TaskCalls() {}

    /** All five, for the registry. */
    public static List<HostCall> all(Tasks tasks) {
        return List.of(new Schedule(tasks), new ListAll(tasks), new Change(tasks, "pause_task"),
                new Change(tasks, "resume_task"), new Change(tasks, "cancel_task"));
    }

    /** {@code schedule_task}: the task answers in the turn's own chat (and thread). */
    static final class Schedule implements HostCall {
        private final Tasks tasks;

        Schedule(Tasks tasks) {
            this.tasks = tasks;
        }

        @Override
        public String method() {
            return "schedule_task";
        }

        @Override
        public HostMessage handle(CallContext c, AgentMessage.HostCall call) {
            var a = call.args();
            Task t;
            try {
                t = tasks.schedule(new Tasks.Origin(c.groupId(), c.platform(), c.chatId(), c.threadId(), "agent"),
                        new Tasks.Request(a.get("prompt"), a.get("cron"), a.get("timezone"), a.get("every"),
                                a.get("at"), a.get("context"), a.get("check"), a.get("catch_up")));
            } catch (IllegalArgumentException e) {
                return HostMessage.HostResult.failed(call.id(), "not scheduled: " + e.getMessage());
            }
            c.audit("task.scheduled", "task #" + t.id() + " " + t.schedule().describe()
                    + (t.check() == null ? "" : " with check"));
            return HostMessage.HostResult.ok(call.id(), "scheduled task #" + t.id() + ": " + t.schedule().describe()
                    + ", first run " + t.nextDue());
        }
    }

    /** {@code list_tasks}: the group's own tasks. */
    static final class ListAll implements HostCall {
        private final Tasks tasks;

        ListAll(Tasks tasks) {
            this.tasks = tasks;
        }

        @Override
        public String method() {
            return "list_tasks";
        }

        @Override
        public HostMessage handle(CallContext c, AgentMessage.HostCall call) {
            List<Task> mine = tasks.list(c.groupId());
            return HostMessage.HostResult.ok(call.id(), mine.isEmpty() ? "no scheduled tasks"
                    : mine.stream().map(Task::describe).collect(Collectors.joining("\n")));
        }
    }

    /** {@code pause_task}, {@code resume_task}, {@code cancel_task}: only on the group's own tasks. */
    static final class Change implements HostCall {
        private final Tasks tasks;
        private final String method;

        Change(Tasks tasks, String method) {
            this.tasks = tasks;
            this.method = method;
        }

        @Override
        public String method() {
            return method;
        }

        @Override
        public HostMessage handle(CallContext c, AgentMessage.HostCall call) {
            long id;
            try {
                id = Long.parseLong(call.args().getOrDefault("id", "").strip());
            } catch (NumberFormatException e) {
                return HostMessage.HostResult.failed(call.id(), method + " needs \"id\": the task's number, as "
                        + "list_tasks shows it");
            }
            Tasks.Change result = switch (method) {
                case "pause_task" -> tasks.pause(c.groupId(), id);
                case "resume_task" -> tasks.resume(c.groupId(), id);
                default -> tasks.cancel(c.groupId(), id);
            };
            return switch (result) {
                case Tasks.Change.Done d -> {
                    c.audit(switch (method) {
                        case "pause_task" -> "task.paused";
                        case "resume_task" -> "task.resumed";
                        default -> "task.cancelled";
                    }, "task #" + id);
                    yield HostMessage.HostResult.ok(call.id(), d.task().describe());
                }
                case Tasks.Change.Refused r -> HostMessage.HostResult.failed(call.id(), r.why());
                case Tasks.Change.NotFound n -> {
                    // another group's task is answered like a missing one; the operator sees which it was
                    boolean foreign = tasks.store().get(id).isPresent();
                    c.audit("host.call.refused", method + ": task #" + id
                            + (foreign ? " belongs to another group" : " does not exist"));
                    yield HostMessage.HostResult.failed(call.id(), "this chat has no task #" + id
                            + "; list_tasks shows its tasks");
                }
            };
        }
    }
}
