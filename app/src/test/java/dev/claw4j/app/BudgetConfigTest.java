package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.budget.BudgetSettings;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.budget.Price;
import dev.claw4j.core.ratelimit.RateLimiter;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** budgets:, limits:, model.prices and the deprecated model.dailyTokenBudget, as the config file says them. */
class BudgetConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);

    @Test
    void readsBudgetsPricesAndLimits() {
        Config config = loader.parse("""
                model:
                  name: claude-sonnet-4-5
                  currency: EUR
                  prices:
                    claude-sonnet-4-5: { inputPerMillion: 3.00, outputPerMillion: 15.00 }
                budgets:
                  timeZone: Europe/Berlin
                  default: { dailyTokens: 100000, monthlyCost: 50.00 }
                  groups:
                    web-team-3f2a1c: { dailyCost: 2.50 }
                limits: { perPersonPerMinute: 20, perGroupPerMinute: 60 }
                """, "test");
        BudgetSettings b = config.budgetSettings();
        assertThat(b.defaults()).isEqualTo(new Limits(100_000L, null, null, new BigDecimal("50.00")));
        assertThat(b.groups()).containsEntry("web-team-3f2a1c", new Limits(null, null, new BigDecimal("2.50"), null));
        assertThat(b.prices()).containsEntry("claude-sonnet-4-5",
                new Price(new BigDecimal("3.00"), new BigDecimal("15.00")));
        assertThat(b.currency()).isEqualTo("EUR");
        assertThat(b.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
        assertThat(config.limits().settings()).isEqualTo(new RateLimiter.Settings(20, 60));
    }

    @Test
    void theShippedFileHasNoLimitsAndTheDefaultsAreUtcAndUsd() {
        BudgetSettings shipped = new ConfigLoader().load(Path.of("../config/claw4j.yaml")).budgetSettings();
        assertThat(shipped.defaults().none()).isTrue();
        assertThat(shipped.currency()).isEqualTo("USD");
        assertThat(shipped.zone()).isEqualTo(ZoneId.of("UTC"));
        assertThat(Config.defaults().limits().settings().off()).isTrue();
    }

    @Test
    void theDeprecatedDailyTokenBudgetIsTheDefaultDailyTokens() {
        assertThat(loader.parse("model: { dailyTokenBudget: 5000 }", "test").budgetSettings().defaults().dailyTokens())
                .isEqualTo(5000L);
        assertThat(loader.parse("model: { dailyTokenBudget: 0 }", "test").budgetSettings().defaults().none()).isTrue();
        assertThat(loader.parse("model: { dailyTokenBudget: 5000 }\nbudgets: { default: { dailyTokens: 5000 } }",
                "test").budgetSettings().defaults().dailyTokens()).isEqualTo(5000L);
        assertThatThrownBy(() -> loader.parse("model: { dailyTokenBudget: 5000 }\nbudgets: { default: { dailyTokens: 7 } }",
                "test")).isInstanceOf(ConfigException.class).hasMessageContaining("model.dailyTokenBudget")
                .hasMessageContaining("budgets.default.dailyTokens");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> loader.parse("budgets: { default: { dailyTokens: 0 } }", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("budgets.default")
                .hasMessageContaining("dailyTokens must be more than 0").hasMessageContaining("leave it out");
        assertThatThrownBy(() -> loader.parse("budgets: { groups: { g1: { monthlyCost: -1 } } }", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("budgets.groups.g1");
        assertThatThrownBy(() -> loader.parse("budgets: { timeZone: Mars/Olympus }", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("budgets.timeZone");
        assertThatThrownBy(() -> loader.parse("budgets: { default: { weeklyTokens: 5 } }", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("weeklyTokens");
        assertThatThrownBy(() -> loader.parse("model: { prices: { m1: { inputPerMillion: 1 } } }", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("model.prices.m1");
        assertThatThrownBy(() -> loader.parse("model: { currency: 'US dollars' }", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("model.currency");
        assertThatThrownBy(() -> loader.parse("limits: { perPersonPerMinute: -1 }", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("limits.perPersonPerMinute");
    }
}
