package dev.claw4j.app;

import dev.claw4j.app.admin.AdminClient;
import dev.claw4j.app.admin.AdminServer;
import dev.claw4j.app.admin.TasksAdmin;
import dev.claw4j.app.admin.TasksApi;
import dev.claw4j.core.store.DatabaseInUseException;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.task.TaskStore;
import dev.claw4j.core.task.Tasks;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * Scheduled tasks of every group, for the operator. While claw4j runs (it holds the database) the commands go
 * through its admin endpoint on loopback; otherwise they open the database themselves.
 */
@Command(name = "tasks", description = "List, pause, resume, cancel or run now the scheduled tasks of every group.",
        subcommands = {TasksCommand.ListTasks.class, TasksCommand.Pause.class, TasksCommand.Resume.class,
                TasksCommand.Cancel.class, TasksCommand.Run.class})
final class TasksCommand {

    static <T> T withTasks(Config config, Function<TasksApi, T> work) {
        Optional<AdminClient> running = AdminClient.ifRunning(config.dataDir());
        if (running.isPresent()) {
            return work.apply(running.get());
        }
        try (Store store = Store.open(config.store().location(config.dataDir()))) {
            Tasks tasks = new Tasks(new TaskStore(store.dataSource()), Clock.systemUTC(), config.tasks().settings());
            return work.apply(new TasksAdmin(tasks, store, "cli"));
        } catch (DatabaseInUseException e) {
            throw new IllegalStateException("the database in " + config.dataDir() + " is in use by another process, "
                    + "but no claw4j admin endpoint answers for it (" + config.dataDir().resolve(AdminServer.PORT_FILE)
                    + " is missing or names a process that is gone). If claw4j is starting, try again in a moment.", e);
        }
    }

    @Command(name = "list", description = "List every group's scheduled tasks (cancelled ones are left out).")
    static final class ListTasks implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Override
        public Integer call() {
            List<TasksApi.TaskLine> all = withTasks(config.load(), TasksApi::tasks);
            if (all.isEmpty()) {
                System.out.println("no scheduled tasks");
            }
            all.forEach(t -> System.out.println(t.line() + "  [group " + t.groupId() + ", " + t.platform() + ":"
                    + t.chatId() + "]"));
            return 0;
        }
    }

    abstract static class Change implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "ID", description = "the task's number, as tasks list shows it")
        long id;

        abstract String action();

        @Override
        public Integer call() {
            TasksApi.Changed c = withTasks(config.load(), api -> api.change(action(), id));
            (c.ok() ? System.out : System.err).println(c.message());
            return c.ok() ? 0 : 1;
        }
    }

    @Command(name = "pause", description = "Pause a task (it keeps its settings).")
    static final class Pause extends Change {
        @Override
        String action() {
            return "pause";
        }
    }

    @Command(name = "resume", description = "Resume a paused task from now on (missed runs are not made up).")
    static final class Resume extends Change {
        @Override
        String action() {
            return "resume";
        }
    }

    @Command(name = "cancel", description = "Cancel a task for good.")
    static final class Cancel extends Change {
        @Override
        String action() {
            return "cancel";
        }
    }

    @Command(name = "run", description = "Run an active task now (one run, claimed and queued like any other).")
    static final class Run extends Change {
        @Override
        String action() {
            return "run";
        }
    }
}
