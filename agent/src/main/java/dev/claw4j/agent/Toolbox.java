package dev.claw4j.agent;

import dev.claw4j.protocol.ToolSpec;
import java.util.List;
import java.util.Optional;

/** The tools offered to the model, by name. */
final class Toolbox {
    private final List<Tool> tools;

    Toolbox(List<Tool> tools) {
        this.tools = List.copyOf(tools);
    }

    /** Every tool the agent has. Cheap: no tool does work before it is called. */
    static Toolbox standard() {
        return new Toolbox(List.of(new BashTool(), new ReadFileTool(), new WriteFileTool(), new EditFileTool(),
                new ListFilesTool(), new GrepTool(), new SendMessageTool(), new SendFileTool(),
                new WebFetchTool(), new TaskTools.ScheduleTask(), new TaskTools.ListTasks(), TaskTools.ChangeTask.PAUSE,
                TaskTools.ChangeTask.RESUME, TaskTools.ChangeTask.CANCEL));
    }

    /** These tools and {@code extra} after them (a turn's MCP tools). */
    Toolbox with(List<? extends Tool> extra) {
        List<Tool> all = new java.util.ArrayList<>(tools);
        all.addAll(extra);
        return new Toolbox(all);
    }

    List<String> names() {
        return tools.stream().map(Tool::name).toList();
    }

    List<ToolSpec> specs() {
        return tools.stream().map(Tool::spec).toList();
    }

    Optional<Tool> find(String name) {
        return tools.stream().filter(t -> t.name().equals(name)).findFirst();
    }
}
