package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoreLocation;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.core.task.TaskStore;
import dev.claw4j.core.task.Tasks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./claw4j access} and {@code ./claw4j tasks} with {@code store.kind: postgres}, no host running: they open
 * the PostgreSQL store the config names (a fresh schema on the test server), and nothing lands in an H2 file.
 */
class PostgresCommandsTest {
    @TempDir
    Path dir;

    @Test
    void accessAndTasksWorkOnPostgres() throws Exception {
        StoreLocation.Postgres pg = TestDatabase.freshSchema(TestDatabase.server());
        Path data = dir.resolve("data");
        Path config = dir.resolve("claw4j.yaml");
        Files.writeString(config, """
                dataDir: %s
                store:
                  kind: postgres
                  url: '%s'
                  user: %s
                  password: '%s'
                """.formatted(data, pg.url(), pg.user(), pg.password()));
        long id;
        try (Store store = Store.open(pg)) {
            store.groups().bindNewGroup("b", "gb");
            new AccessStore(store.dataSource()).grant("telegram", "4242", "test");
            id = new Tasks(new TaskStore(store.dataSource()), Clock.systemUTC(), Tasks.Settings.DEFAULTS)
                    .schedule(new Tasks.Origin("gb", "web", "w", null, "bob"),
                            new Tasks.Request("report", null, null, "1d", null, null, null, null)).id();
        }

        CliRun list = CliRun.run("access", "list", "--config", config.toString());
        assertThat(list.code()).as(list.err()).isZero();
        assertThat(list.out()).contains("telegram:4242 since").contains("by test");
        CliRun revoke = CliRun.run("access", "revoke", "--config", config.toString(), "telegram:4242");
        assertThat(revoke.code()).as(revoke.err()).isZero();

        CliRun tasks = CliRun.run("tasks", "list", "--config", config.toString());
        assertThat(tasks.code()).as(tasks.err()).isZero();
        assertThat(tasks.out()).contains("#" + id).contains("report");
        CliRun cancel = CliRun.run("tasks", "cancel", "--config", config.toString(), String.valueOf(id));
        assertThat(cancel.code()).as(cancel.err()).isZero();

        try (Store store = Store.open(pg)) {
            assertThat(new AccessStore(store.dataSource()).grants()).isEmpty();
            assertThat(new TaskStore(store.dataSource()).get(id).orElseThrow().status().name()).isEqualTo("CANCELLED");
        }
        assertThat(data.resolve(Store.DATABASE_FILE)).as("no H2 file was made beside it").doesNotExist();
    }

    @Test
    void aRefusedLoginStopsTheCommandSayingWhatToCheck() throws Exception {
        StoreLocation.Postgres pg = TestDatabase.server();
        Path config = dir.resolve("claw4j.yaml");
        Files.writeString(config, """
                dataDir: %s
                store: {kind: postgres, url: '%s', user: %s, password: wrong-password-here}
                """.formatted(dir.resolve("data"), pg.url(), pg.user()));
        CliRun list = CliRun.run("access", "list", "--config", config.toString());
        assertThat(list.code()).isNotZero();
        assertThat(list.err()).contains("refused the login of role '" + pg.user() + "'")
                .doesNotContain("wrong-password-here");
    }
}
