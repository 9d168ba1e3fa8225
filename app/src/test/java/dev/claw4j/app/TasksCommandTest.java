package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.app.admin.AccessAdmin;
import dev.claw4j.app.admin.AdminServer;
import dev.claw4j.app.admin.TasksAdmin;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.task.Task;
import dev.claw4j.core.task.TaskStore;
import dev.claw4j.core.task.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./claw4j tasks} as a user runs it: through a running host's admin endpoint, and on the database alone. */
class TasksCommandTest {
    @TempDir
    Path dir;

    @Test
    void listAndPauseGoThroughTheRunningHost() throws Exception {
        Path data = dir.resolve("data");
        Path config = config(data);
        try (Store store = Store.open(data)) {
            store.groups().bindNewGroup("a", "ga");
            Tasks tasks = tasks(store);
            long id = tasks.schedule(new Tasks.Origin("ga", "telegram", "1", null, "ann"),
                    new Tasks.Request("stretch", "0 9 * * *", "Europe/Berlin", null, null, null, null, null)).id();
            AdminServer server = new AdminServer(data, 0, new AccessAdmin(store, "pairing", List.of(), List.of(),
                    "admin-api", Clock.systemUTC()), null, null, new TasksAdmin(tasks, store, "admin-api"));
            server.start();
            try {
                CliRun list = CliRun.run("tasks", "list", "--config", config.toString());
                assertThat(list.code()).as(list.err()).isZero();
                assertThat(list.out()).contains("#" + id).contains("stretch").contains("[group ga, telegram:1]");

                CliRun pause = CliRun.run("tasks", "pause", "--config", config.toString(), String.valueOf(id));
                assertThat(pause.code()).as(pause.err()).isZero();
                assertThat(tasks.store().get(id).orElseThrow().status()).isEqualTo(Task.Status.PAUSED);
                CliRun again = CliRun.run("tasks", "pause", "--config", config.toString(), String.valueOf(id));
                assertThat(again.code()).isEqualTo(1);
                assertThat(again.err()).contains("only an active task can be paused");
            } finally {
                server.close();
            }
        }
    }

    @Test
    void withoutARunningHostItWorksOnTheDatabase() throws Exception {
        Path data = dir.resolve("data");
        Path config = config(data);
        long id;
        try (Store store = Store.open(data)) {
            store.groups().bindNewGroup("b", "gb");
            id = tasks(store).schedule(new Tasks.Origin("gb", "web", "w", null, "bob"),
                    new Tasks.Request("report", null, null, "1d", null, null, null, null)).id();
        }
        assertThat(CliRun.run("tasks", "list", "--config", config.toString()).out()).contains("#" + id).contains("report");
        CliRun cancel = CliRun.run("tasks", "cancel", "--config", config.toString(), String.valueOf(id));
        assertThat(cancel.code()).as(cancel.err()).isZero();
        assertThat(CliRun.run("tasks", "list", "--config", config.toString()).out()).contains("no scheduled tasks");
    }

    private Path config(Path data) throws Exception {
        Path config = dir.resolve("claw4j.yaml");
        Files.writeString(config, "dataDir: " + data + "\n");
        return config;
    }

    private static Tasks tasks(Store store) {
        return new Tasks(new TaskStore(store.dataSource()), Clock.systemUTC(), Tasks.Settings.DEFAULTS);
    }
}
