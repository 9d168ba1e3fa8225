package dev.claw4j.core.budget;

import dev.claw4j.core.task.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.protocol.Usage;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class BudgetsTest {
    private static final ZoneId UTC = ZoneId.of("UTC");
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final Price SONNET = new Price(new BigDecimal("3.00"), new BigDecimal("15.00"));

    private final Store store;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));

    BudgetsTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Budgets budgets(Limits defaults, ZoneId zone) {
        return budgets(new BudgetSettings(defaults, Map.of(), Map.of("sonnet", SONNET), "USD", zone));
    }

    private Budgets budgets(BudgetSettings settings) {
        return new Budgets(store.dataSource(), settings, clock);
    }

    private void used(Budgets b, String group, String at, long in, long out) {
        Usage usage = new Usage(in, out);
        store.usage().recordUsage(group, "sonnet", usage, 10, "OK", b.costOf("sonnet", usage), Instant.parse(at));
    }

    @Test
    void aDayEndsAtMidnightInTheConfiguredZone() {
        Budgets utc = budgets(Limits.NONE, UTC);
        used(utc, "g1", "2026-11-30T23:30:00Z", 100, 0); // 00:30 on 1 December in Berlin, 23:30 on 30 November in UTC
        used(utc, "g1", "2026-12-01T09:00:00Z", 10, 5);
        assertThat(utc.usage("g1").tokensToday()).isEqualTo(15);
        assertThat(budgets(Limits.NONE, BERLIN).usage("g1").tokensToday()).isEqualTo(115);

        clock.set(Instant.parse("2026-12-01T23:00:00Z")); // midnight in Berlin: a new day there, not yet in UTC
        assertThat(budgets(Limits.NONE, BERLIN).usage("g1").tokensToday()).isZero();
        assertThat(utc.usage("g1").tokensToday()).isEqualTo(15);
        assertThat(budgets(Limits.NONE, BERLIN).usage("g1").dayEnds()).isEqualTo(Instant.parse("2026-12-02T23:00:00Z"));
    }

    @Test
    void aMonthStartsOnTheFirstInTheConfiguredZone() {
        Budgets utc = budgets(Limits.NONE, UTC);
        used(utc, "g1", "2026-11-30T22:30:00Z", 1000, 0); // 23:30 on 30 November in Berlin: last month there
        used(utc, "g1", "2026-11-30T23:30:00Z", 100, 0);  // 00:30 on 1 December in Berlin
        used(utc, "g1", "2026-12-01T08:00:00Z", 10, 0);
        assertThat(budgets(Limits.NONE, BERLIN).usage("g1").tokensThisMonth()).isEqualTo(110);
        assertThat(utc.usage("g1").tokensThisMonth()).isEqualTo(10);

        clock.set(Instant.parse("2027-01-01T00:00:00Z"));
        GroupUsage january = utc.usage("g1");
        assertThat(january.tokensThisMonth()).isZero();
        assertThat(january.monthEnds()).isEqualTo(Instant.parse("2027-02-01T00:00:00Z"));
    }

    @Test
    void tokensAndMoneyAreCountedPerGroup() {
        clock.set(Instant.parse("2026-12-15T10:00:00Z"));
        Budgets b = budgets(Limits.NONE, UTC);
        used(b, "g1", "2026-12-15T09:00:00Z", 1_000_000, 100_000); // 3.00 + 1.50
        used(b, "g1", "2026-12-03T09:00:00Z", 2_000_000, 0);       // 6.00, earlier this month
        used(b, "g1", "2026-11-30T09:00:00Z", 7, 7);               // last month
        used(b, "g2", "2026-12-15T09:00:00Z", 5, 5);
        GroupUsage u = b.usage("g1");
        assertThat(u.tokensToday()).isEqualTo(1_100_000);
        assertThat(u.costToday()).isEqualByComparingTo("4.50");
        assertThat(u.tokensThisMonth()).isEqualTo(3_100_000);
        assertThat(u.costThisMonth()).isEqualByComparingTo("10.50");
        assertThat(b.usage("g3").tokensThisMonth()).isZero();
    }

    @Test
    void aCallKeepsTheCostOfItsTimeAndOldRowsArePricedWhenRead() {
        Budgets before = budgets(Limits.NONE, UTC);
        used(before, "g1", "2026-12-01T09:00:00Z", 1_000_000, 0); // 3.00 at the old price
        store.usage().recordUsage("g1", "sonnet", new Usage(1_000_000, 0), 10, "OK", null, Instant.parse("2026-12-01T09:30:00Z"));
        Budgets after = budgets(new BudgetSettings(Limits.NONE, Map.of(),
                Map.of("sonnet", new Price(new BigDecimal("5"), new BigDecimal("20"))), "USD", UTC));
        // the priced row stays 3.00; the row without a stored cost is priced at today's 5.00
        assertThat(after.usage("g1").costToday()).isEqualByComparingTo("8.00");
    }

    @Test
    void aModelWithoutAPriceCostsNothing() {
        Budgets b = budgets(Limits.NONE, UTC);
        assertThat(b.costOf("unknown-model", new Usage(1_000_000, 1_000_000))).isZero();
        assertThat(b.costOf("sonnet", new Usage(1_000, 0))).isEqualByComparingTo("0.003");
        assertThat(b.costOf("anthropic/sonnet", new Usage(1_000, 0))).as("as the gateway names it")
                .isEqualByComparingTo("0.003");
    }

    @Test
    void checkIsAllowedThenWarnsAtEightyPercentThenIsExhaustedAtTheLimit() {
        Budgets b = budgets(new Limits(1000L, null, null, null), UTC);
        used(b, "g1", "2026-12-01T09:00:00Z", 500, 200);
        assertThat(b.check("g1")).isInstanceOf(Check.Allowed.class);
        used(b, "g1", "2026-12-01T09:01:00Z", 100, 0);
        assertThat(b.check("g1")).isInstanceOfSatisfying(Check.Warn.class, w -> {
            assertThat(w.near()).singleElement().satisfies(r -> {
                assertThat(r.limit()).isEqualTo(Limit.DAILY_TOKENS);
                assertThat(r.percent()).isEqualTo(80);
            });
        });
        used(b, "g1", "2026-12-01T09:02:00Z", 150, 50);
        assertThat(b.check("g1")).isInstanceOfSatisfying(Check.Exhausted.class,
                e -> assertThat(e.reached().used()).isEqualByComparingTo("1000"));
        assertThat(b.check("other")).isInstanceOf(Check.Allowed.class);

        clock.set(Instant.parse("2026-12-02T00:00:00Z")); // a new day
        assertThat(b.check("g1")).isInstanceOf(Check.Allowed.class);
    }

    @Test
    void aMoneyLimitIsExhaustedByCost() {
        Budgets b = budgets(new Limits(null, null, null, new BigDecimal("10")), UTC);
        used(b, "g1", "2026-12-01T09:00:00Z", 2_000_000, 0); // 6.00
        assertThat(b.check("g1")).isInstanceOf(Check.Allowed.class);
        used(b, "g1", "2026-12-01T09:00:00Z", 0, 200_000);   // 3.00 more: 90 %
        assertThat(b.check("g1")).isInstanceOf(Check.Warn.class);
        used(b, "g1", "2026-12-01T09:00:00Z", 0, 100_000);   // 10.50
        assertThat(b.check("g1")).isInstanceOfSatisfying(Check.Exhausted.class,
                e -> assertThat(e.reached().limit()).isEqualTo(Limit.MONTHLY_COST));
    }

    @Test
    void theEightyPercentWarningIsToldOncePerPeriodAndLimitAcrossRestarts() {
        Budgets b = budgets(new Limits(1000L, 10_000L, null, null), UTC);
        assertThat(b.firstWarning("g1", Limit.DAILY_TOKENS)).isTrue();
        assertThat(b.firstWarning("g1", Limit.DAILY_TOKENS)).isFalse();
        assertThat(b.firstWarning("g1", Limit.MONTHLY_TOKENS)).as("another limit").isTrue();
        assertThat(b.firstWarning("g2", Limit.DAILY_TOKENS)).as("another group").isTrue();
        // a restart: a new Budgets on the same database remembers
        assertThat(budgets(new Limits(1000L, 10_000L, null, null), UTC).firstWarning("g1", Limit.DAILY_TOKENS))
                .isFalse();

        clock.set(Instant.parse("2026-12-02T00:00:01Z"));
        assertThat(b.firstWarning("g1", Limit.DAILY_TOKENS)).as("a new day").isTrue();
        assertThat(b.firstWarning("g1", Limit.MONTHLY_TOKENS)).as("the same month").isFalse();
    }

    @Test
    void theUsedUpNoticeIsToldOnceThenAtMostOnceAnHour() {
        Budgets b = budgets(new Limits(1000L, null, null, null), UTC);
        assertThat(b.exhaustedNoticeDue("g1", Limit.DAILY_TOKENS)).isTrue();
        assertThat(b.exhaustedNoticeDue("g1", Limit.DAILY_TOKENS)).isFalse();
        clock.advance(Duration.ofMinutes(59));
        assertThat(b.exhaustedNoticeDue("g1", Limit.DAILY_TOKENS)).isFalse();
        clock.advance(Duration.ofMinutes(1));
        assertThat(b.exhaustedNoticeDue("g1", Limit.DAILY_TOKENS)).isTrue();
        assertThat(b.exhaustedNoticeDue("g1", Limit.DAILY_TOKENS)).isFalse();
        assertThat(b.firstWarning("g1", Limit.DAILY_TOKENS)).as("the warning is a notice of its own").isTrue();
    }

    @Test
    void anOverrideReplacesTheConfiguredLimitsUntilCleared() {
        Limits team = new Limits(null, null, new BigDecimal("2.50"), null);
        Budgets b = budgets(new BudgetSettings(new Limits(1000L, null, null, null), Map.of("team", team),
                Map.of("sonnet", SONNET), "USD", UTC));
        assertThat(b.usage("g1").limits().dailyTokens()).isEqualTo(1000L);
        assertThat(b.usage("g1").source()).isEqualTo(GroupUsage.Source.DEFAULT);
        // a group's own config replaces the default whole: no daily token limit for it
        assertThat(b.usage("team").limits()).isEqualTo(team);
        assertThat(b.usage("team").source()).isEqualTo(GroupUsage.Source.CONFIG_GROUP);

        used(b, "g1", "2026-12-01T09:00:00Z", 1500, 0);
        assertThat(b.check("g1")).isInstanceOf(Check.Exhausted.class);
        Limits raised = new Limits(5000L, null, null, new BigDecimal("30"));
        b.setOverride("g1", raised, "admin-ui");
        assertThat(b.override("g1")).contains(raised);
        assertThat(b.usage("g1").limits()).isEqualTo(raised);
        assertThat(b.usage("g1").source()).isEqualTo(GroupUsage.Source.OVERRIDE);
        assertThat(b.check("g1")).isInstanceOf(Check.Allowed.class);

        b.setOverride("g1", new Limits(1400L, null, null, null), "admin-ui"); // set again: replaced
        assertThat(b.check("g1")).isInstanceOf(Check.Exhausted.class);
        b.setOverride("team", Limits.NONE, "admin-ui");
        assertThat(b.usage("team").limits().none()).isTrue();

        assertThat(b.clearOverride("g1")).isTrue();
        assertThat(b.clearOverride("g1")).isFalse();
        assertThat(b.usage("g1").limits().dailyTokens()).isEqualTo(1000L);
        assertThat(b.override("g1")).isEmpty();
    }

    @Test
    void theNoticesSayWhatIsUsedUpWhenItResetsAndWhoCanRaiseIt() {
        Budgets b = budgets(new Limits(50_000L, null, null, new BigDecimal("20")), UTC);
        used(b, "g1", "2026-12-01T09:00:00Z", 52_345, 0);
        GroupUsage u = b.usage("g1");
        Reading daily = ((Check.Exhausted) u.check()).reached();
        assertThat(b.exhaustedText(u, daily)).contains("daily budget of 50,000 tokens (52,345 tokens used)")
                .contains("resets at 00:00 UTC").contains("budgets.default.dailyTokens").contains("g1");
        Reading monthly = new Reading(Limit.MONTHLY_COST, new BigDecimal("16.4"), new BigDecimal("20"));
        assertThat(b.warningText(u, monthly)).contains("82 %").contains("monthly budget")
                .contains("16.40 USD of 20.00 USD").contains("resets on 1 January at 00:00 UTC");
        assertThat(Budgets.money(new BigDecimal("0.0004"))).isEqualTo("0.0004");
        assertThat(Budgets.money(BigDecimal.ZERO)).isEqualTo("0.00");
    }

    @Test
    void theConsolesLineShowsUseAgainstLimitsOrNothingWhenNoneAreSet() {
        assertThat(budgets(new BudgetSettings(null, null, null, null, null)).summary("g1")).isEmpty();
        Budgets b = budgets(new Limits(1000L, null, null, new BigDecimal("20")), UTC);
        used(b, "g1", "2026-12-01T09:00:00Z", 1000, 0);
        assertThat(b.summary("g1")).hasValueSatisfying(line -> assertThat(line)
                .startsWith("today 1,000 tokens of 1,000 tokens (100 %), 0.0030 USD (no limit); this month 1,000 tokens "
                        + "(no limit), 0.0030 USD of 20.00 USD (0 %)").endsWith("daily budget used up"));
        b.setOverride("g1", new Limits(5000L, null, null, null), "test");
        assertThat(b.summary("g1")).hasValueSatisfying(line -> assertThat(line).endsWith("(override)"));
    }
}
