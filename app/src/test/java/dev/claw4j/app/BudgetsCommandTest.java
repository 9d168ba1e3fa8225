package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.app.admin.AccessAdmin;
import dev.claw4j.app.admin.AdminServer;
import dev.claw4j.core.budget.BudgetSettings;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.protocol.Usage;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./claw4j budgets} as a user runs it, against a running admin endpoint on loopback (the host's own, with
 * real budgets on an in-memory store), and without one.
 */
@OnBothDatabases
class BudgetsCommandTest {
    private final TestDatabase database;

    BudgetsCommandTest(TestDatabase database) {
        this.database = database;
    }

    @TempDir
    Path dir;
    private Path config;
    private Store store;
    private Budgets budgets;
    private AdminServer server;

    @BeforeEach
    void start() throws Exception {
        Path data = dir.resolve("data");
        config = dir.resolve("claw4j.yaml");
        Files.writeString(config, "dataDir: " + data + "\n");
        store = database.open();
        budgets = new Budgets(store.dataSource(), new BudgetSettings(new Limits(1000L, null, null, null), Map.of(),
                Map.of(), "USD", ZoneId.of("UTC")), Clock.systemUTC());
        server = new AdminServer(data, 0, new AccessAdmin(store, "pairing", List.of(), List.of(), "admin-api",
                Clock.systemUTC()), null, budgets);
        server.start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void showSetAndClearGoThroughTheRunningHost() {
        store.usage().recordUsage("g1", "m1", new Usage(200, 50), 5, "OK", BigDecimal.ZERO, Instant.now());
        CliRun show = CliRun.run("budgets", "show", "--config", config.toString(), "g1");
        assertThat(show.code()).as(show.err()).isZero();
        assertThat(show.out()).contains("group g1: limits from the default (budgets.default)")
                .containsPattern("daily tokens +used 250 of 1000")
                .containsPattern("monthly cost +used 0 USD of no limit");

        CliRun set = CliRun.run("budgets", "set", "--config", config.toString(), "g1", "--daily-tokens", "5000",
                "--monthly-cost", "12.50");
        assertThat(set.code()).as(set.err()).isZero();
        assertThat(budgets.override("g1")).contains(new Limits(5000L, null, null, new BigDecimal("12.5")));
        assertThat(set.out()).contains("limits from the run-time override").containsPattern("daily tokens +used 250 of 5000")
                .containsPattern("monthly cost +used 0 USD of 12.5 USD").containsPattern("daily cost +used 0 USD of no limit");

        CliRun clear = CliRun.run("budgets", "clear", "--config", config.toString(), "g1");
        assertThat(clear.code()).as(clear.err()).isZero();
        assertThat(clear.out()).contains("cleared the budget override of g1").contains("limits from the default");
        assertThat(budgets.override("g1")).isEmpty();
        assertThat(CliRun.run("budgets", "clear", "--config", config.toString(), "g1").out())
                .contains("g1 had no budget override");
    }

    @Test
    void badLimitsAreRefusedWithWhatIsWrongAndChangeNothing() {
        CliRun negative = CliRun.run("budgets", "set", "--config", config.toString(), "g1", "--daily-tokens", "-5");
        assertThat(negative.code()).isNotZero();
        assertThat(negative.err()).contains("dailyTokens must be more than 0");
        CliRun word = CliRun.run("budgets", "set", "--config", config.toString(), "g1", "--daily-cost", "lots");
        assertThat(word.code()).isNotZero();
        assertThat(word.err()).contains("--daily-cost").contains("lots");
        CliRun none = CliRun.run("budgets", "set", "--config", config.toString(), "g1");
        assertThat(none.code()).isEqualTo(1);
        assertThat(none.err()).contains("give at least one limit").contains("budgets clear g1");
        CliRun badGroup = CliRun.run("budgets", "set", "--config", config.toString(), "../etc", "--daily-tokens", "5");
        assertThat(badGroup.code()).isNotZero();
        assertThat(badGroup.err()).contains("the running claw4j refused");
        assertThat(budgets.override("g1")).isEmpty();
    }

    @Test
    void withoutARunningHostItSaysSo() {
        server.close();
        CliRun show = CliRun.run("budgets", "show", "--config", config.toString(), "g1");
        assertThat(show.code()).isEqualTo(2);
        assertThat(show.err()).contains("claw4j is not running on").contains("./claw4j run");
        CliRun set = CliRun.run("budgets", "set", "--config", config.toString(), "g1", "--daily-tokens", "5");
        assertThat(set.err()).contains("claw4j is not running on");
        assertThat(budgets.override("g1")).isEmpty();
    }
}
