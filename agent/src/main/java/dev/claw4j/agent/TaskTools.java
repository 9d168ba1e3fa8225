package dev.claw4j.agent;

import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ToolSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The scheduled-task tools. Each is a host call: the host stores and runs the tasks, and a group sees and changes
 * only its own. The agent passes the arguments on as they are; the host checks them and says what is wrong.
 */
final class TaskTools {
    private TaskTools() {}

    private static ToolResult call(ToolContext context, String method, Map<String, String> args) {
        HostMessage.HostResult result = context.host().call(method, args);
        return result.ok() ? ToolResult.ok(result.result())
                : ToolResult.failed(result.error() == null ? "the host refused" : result.error());
    }

    private static Map<String, String> idArg(ToolArgs args) throws ToolException {
        long id = args.optionalLong("id").orElseThrow(() -> new ToolException("missing argument \"id\" (the task's "
                + "number, as list_tasks shows it)"));
        return Map.of("id", Long.toString(id));
    }

    private static final String ID_SCHEMA = """
            {"type": "object",
             "properties": {"id": {"type": "integer", "description": "the task's number, as list_tasks shows it"}},
             "required": ["id"]}""";

    static final class ScheduleTask implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("schedule_task",
                "Schedules a task: at each run you get the prompt as a message and your reply goes to this chat."
                        + " Give exactly one of cron (with timezone), every, or at. For something frequent (more"
                        + " often than every few minutes), give a check: a shell command run first in your sandbox"
                        + " that prints {\"wake\": true, \"data\": ...} when there is something to do, else"
                        + " {\"wake\": false}; then quiet runs cost nothing.",
                """
                {"type": "object",
                 "properties": {
                   "prompt": {"type": "string", "description": "what to do at each run, written to your future self"},
                   "cron": {"type": "string", "description": "cron expression: five fields (Unix, e.g. \\"0 9 * * *\\" = every day at 9:00) or six/seven (Quartz, seconds first)"},
                   "timezone": {"type": "string", "description": "time zone of cron and at, e.g. Europe/Berlin; default UTC"},
                   "every": {"type": "string", "description": "an interval, e.g. 30m, 2h, 1d"},
                   "at": {"type": "string", "description": "a single time, e.g. 2026-12-24T09:00 (in timezone)"},
                   "context": {"type": "string", "enum": ["fresh", "chat"], "description": "fresh (default): a new conversation each run; chat: continue this chat's conversation"},
                   "check": {"type": "string", "description": "optional shell command deciding whether to wake you (see above); 30 s and 1 MiB output at most"},
                   "catch_up": {"type": "string", "enum": ["once", "skip"], "description": "runs missed while the host was down: once (default) or skip"}
                 },
                 "required": ["prompt"]}""");

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public String detail(ToolArgs args) {
            return args.text("cron") + args.text("every") + args.text("at");
        }

        @Override
        public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
            Map<String, String> out = new LinkedHashMap<>();
            out.put("prompt", args.string("prompt"));
            for (String name : new String[] {"cron", "timezone", "every", "at", "context", "check", "catch_up"}) {
                args.optionalString(name).ifPresent(v -> out.put(name, v));
            }
            return call(context, "schedule_task", out);
        }
    }

    static final class ListTasks implements Tool {
        private static final ToolSpec SPEC = new ToolSpec("list_tasks",
                "Lists this chat's scheduled tasks with their numbers, schedules and state.",
                "{\"type\": \"object\", \"properties\": {}}");

        @Override
        public ToolSpec spec() {
            return SPEC;
        }

        @Override
        public ToolResult run(ToolArgs args, ToolContext context) {
            return call(context, "list_tasks", Map.of());
        }
    }

    /** pause_task, resume_task and cancel_task: one task id, the host decides. */
    static final class ChangeTask implements Tool {
        static final ChangeTask PAUSE = new ChangeTask("pause_task", "Pauses a scheduled task (it keeps its "
                + "settings; resume_task starts it again).");
        static final ChangeTask RESUME = new ChangeTask("resume_task", "Resumes a paused scheduled task from now on.");
        static final ChangeTask CANCEL = new ChangeTask("cancel_task", "Cancels a scheduled task for good.");

        private final ToolSpec spec;

        private ChangeTask(String name, String description) {
            this.spec = new ToolSpec(name, description, ID_SCHEMA);
        }

        @Override
        public ToolSpec spec() {
            return spec;
        }

        @Override
        public String detail(ToolArgs args) {
            return args.text("id");
        }

        @Override
        public ToolResult run(ToolArgs args, ToolContext context) throws ToolException {
            return call(context, spec.name(), idArg(args));
        }
    }
}
