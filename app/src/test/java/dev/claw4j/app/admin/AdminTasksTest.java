package dev.claw4j.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.core.task.TaskStore;
import dev.claw4j.core.task.Tasks;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task commands through the running host's admin endpoint, as {@code ./claw4j tasks} uses it. */
@OnBothDatabases
class AdminTasksTest {
    private final TestDatabase database;

    AdminTasksTest(TestDatabase database) {
        this.database = database;
    }

    @TempDir
    Path data;
    private Store store;
    private Tasks tasks;
    private AdminServer server;

    @BeforeEach
    void start() {
        store = database.open();
        store.groups().bindNewGroup("a", "ga");
        store.groups().bindNewGroup("b", "gb");
        tasks = new Tasks(new TaskStore(store.dataSource()), Clock.systemUTC(), Tasks.Settings.DEFAULTS);
        server = new AdminServer(data, 0, new AccessAdmin(store, "pairing", List.of(), List.of(), "admin-api",
                Clock.systemUTC()), null, null, new TasksAdmin(tasks, store, "admin-api"));
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void theOperatorListsAndChangesEveryGroupsTasks() {
        long a = tasks.schedule(new Tasks.Origin("ga", "telegram", "1", null, "ann"),
                new Tasks.Request("stretch", "0 9 * * *", "Europe/Berlin", null, null, null, null, null)).id();
        long b = tasks.schedule(new Tasks.Origin("gb", "web", "w", null, "bob"),
                new Tasks.Request("report", null, null, "1d", null, null, null, null)).id();
        TasksApi api = AdminClient.ifRunning(data).orElseThrow();

        assertThat(api.tasks()).extracting(TasksApi.TaskLine::id, TasksApi.TaskLine::groupId, TasksApi.TaskLine::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(a, "ga", "active"),
                        org.assertj.core.groups.Tuple.tuple(b, "gb", "active"));
        assertThat(api.tasks().getFirst().schedule()).isEqualTo("cron 0 9 * * * (Europe/Berlin)");

        assertThat(api.change("pause", a).ok()).isTrue();
        assertThat(api.change("pause", a)).isEqualTo(new TasksApi.Changed(false,
                "task #" + a + " is paused, not active; only an active task can be paused"));
        assertThat(api.change("run", a).ok()).isFalse(); // paused: resume first
        assertThat(api.change("resume", a).ok()).isTrue();
        TasksApi.Changed run = api.change("run", a);
        assertThat(run.ok()).isTrue();
        assertThat(run.message()).contains("is due now");
        assertThat(api.change("cancel", b).ok()).isTrue();
        assertThat(api.tasks()).extracting(TasksApi.TaskLine::id).containsExactly(a);
        assertThat(api.change("pause", 999).message()).contains("no task #999");
        assertThat(store.audit().auditByKind("task.pause")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("by admin-api"));
    }
}
