package dev.claw4j.app;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.admin.AdminClient;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A group's budget, and the run-time override that replaces its configured limits. Through the running host's admin
 * endpoint only: the override takes effect in the host at once, and a stopped host has nothing to enforce.
 */
@Command(name = "budgets", description = "Show a group's budget, or set or clear the run-time override of its "
        + "limits (claw4j must be running).",
        subcommands = {BudgetsCommand.Show.class, BudgetsCommand.Set.class, BudgetsCommand.Clear.class})
final class BudgetsCommand {

    static AdminClient running(Config config) {
        return AdminClient.ifRunning(config.dataDir()).orElseThrow(() -> new IllegalStateException("claw4j is not "
                + "running on " + config.dataDir() + " (no admin endpoint answers for it): budgets are shown and "
                + "overridden through the running host. Start it with ./claw4j run (with the same --config), then "
                + "try again; to change the limits for good, edit budgets in the config file."));
    }

    /** The group's limits, where they come from, and its use, one limit a line. */
    static void print(JsonNode b) {
        String currency = b.path("currency").asText();
        System.out.println("group " + b.path("group").asText() + ": limits from " + switch (b.path("source").asText()) {
            case "override" -> "the run-time override (./claw4j budgets clear goes back to the config)";
            case "config_group" -> "this group's config (budgets.groups." + b.path("group").asText() + ")";
            default -> "the default (budgets.default)";
        } + "; " + b.path("state").asText());
        JsonNode limits = b.path("limits");
        line("daily tokens", b.path("today").path("tokens").asText(), limits.path("dailyTokens"), "");
        line("monthly tokens", b.path("thisMonth").path("tokens").asText(), limits.path("monthlyTokens"), "");
        line("daily cost", b.path("today").path("cost").asText(), limits.path("dailyCost"), " " + currency);
        line("monthly cost", b.path("thisMonth").path("cost").asText(), limits.path("monthlyCost"), " " + currency);
        System.out.println("  days end " + b.path("dayEnds").asText() + ", the month " + b.path("monthEnds").asText()
                + " (counted in " + b.path("timeZone").asText() + ")");
    }

    private static void line(String name, String used, JsonNode limit, String unit) {
        System.out.printf("  %-15s used %s%s of %s%n", name, used, unit,
                limit.isNull() || limit.isMissingNode() ? "no limit" : limit.asText() + unit);
    }

    @Command(name = "show", description = "Show a group's use today and this month against the limits in force, "
            + "and where they come from.")
    static final class Show implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "GROUP", description = "the group's id, as the console's Groups page shows it")
        String group;

        @Override
        public Integer call() {
            print(running(config.load()).budget(group));
            return 0;
        }
    }

    @Command(name = "set", description = "Replace a group's limits from now on with these (a limit left out is no "
            + "limit), until budgets clear.")
    static final class Set implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "GROUP", description = "the group's id, as the console's Groups page shows it")
        String group;

        @Option(names = "--daily-tokens", paramLabel = "N", description = "tokens a day")
        Long dailyTokens;

        @Option(names = "--monthly-tokens", paramLabel = "N", description = "tokens a month")
        Long monthlyTokens;

        @Option(names = "--daily-cost", paramLabel = "X", description = "money a day, in the configured currency")
        BigDecimal dailyCost;

        @Option(names = "--monthly-cost", paramLabel = "X", description = "money a month, in the configured currency")
        BigDecimal monthlyCost;

        @Override
        public Integer call() {
            Map<String, Object> limits = new LinkedHashMap<>();
            put(limits, "dailyTokens", dailyTokens);
            put(limits, "monthlyTokens", monthlyTokens);
            put(limits, "dailyCost", dailyCost);
            put(limits, "monthlyCost", monthlyCost);
            if (limits.isEmpty()) {
                System.err.println("give at least one limit: --daily-tokens N, --monthly-tokens N, --daily-cost X or "
                        + "--monthly-cost X (to go back to the config's limits: ./claw4j budgets clear " + group + ")");
                return 1;
            }
            print(running(config.load()).setBudgetOverride(group, limits));
            return 0;
        }

        private static void put(Map<String, Object> limits, String key, Object value) {
            if (value != null) {
                limits.put(key, value);
            }
        }
    }

    @Command(name = "clear", description = "Remove a group's run-time override: its limits come from the config again.")
    static final class Clear implements Callable<Integer> {
        @Mixin
        ConfigOption config;

        @Parameters(paramLabel = "GROUP", description = "the group's id, as the console's Groups page shows it")
        String group;

        @Override
        public Integer call() {
            AdminClient host = running(config.load());
            boolean cleared = host.clearBudgetOverride(group);
            System.out.println(cleared ? "cleared the budget override of " + group
                    : group + " had no budget override");
            print(host.budget(group));
            return 0;
        }
    }
}
