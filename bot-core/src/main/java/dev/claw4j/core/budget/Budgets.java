package dev.claw4j.core.budget;

import dev.claw4j.core.store.Jdbc;
import dev.claw4j.core.store.StoreException;
import dev.claw4j.core.store.Tx;
import dev.claw4j.protocol.Usage;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Types;
import java.text.NumberFormat;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-group budgets: what a group used today and this month (tokens, and money at the configured prices), the
 * limits in force (a run-time override, else the group's own config, else the default), whether another model call
 * may go out, and the notices a chat was given (remembered in the store, so a restart does not repeat them).
 * <p>
 * Cost is stored per usage row when the call is recorded ({@link #costOf}): prices change, and what a call cost
 * when it was made must not change with them. Rows from before that column existed are priced when read.
 */
public final class Budgets {
    private static final Logger log = LoggerFactory.getLogger(Budgets.class);
    /** A used-up limit is told once, then at most this often while people keep writing. */
    public static final Duration EXHAUSTED_REPEAT = Duration.ofHours(1);

    private final Jdbc jdbc;
    private final BudgetSettings settings;
    private final Clock clock;
    private final Set<String> unpricedWarned = ConcurrentHashMap.newKeySet();

    public Budgets(DataSource db, BudgetSettings settings, Clock clock) {
        this.jdbc = db == null ? null : new Jdbc(db);
        this.settings = settings;
        this.clock = clock;
    }

    public BudgetSettings settings() {
        return settings;
    }

    /** What these tokens of this model cost at today's prices; 0 for a model without a price (warned once). */
    public BigDecimal costOf(String model, Usage usage) {
        Price price = priceOf(model);
        if (price == null) {
            warnUnpriced(model);
            return BigDecimal.ZERO;
        }
        return usage == null ? BigDecimal.ZERO : price.cost(usage.inputTokens(), usage.outputTokens());
    }

    /** Rows recorded before costs were stored are priced at today's prices. */
    private BigDecimal unstoredCost(String model, long inputTokens, long outputTokens) {
        return inputTokens + outputTokens == 0 ? BigDecimal.ZERO : costOf(model, new Usage(inputTokens, outputTokens));
    }

    /**
     * Logs once per model name that it has no price (when prices or money limits are configured at all); start-up
     * calls it for the configured model.
     */
    public void warnUnpriced(String model) {
        boolean moneyMatters = !settings.prices().isEmpty() || settings.anyMoneyLimit();
        if (moneyMatters && priceOf(model) == null && unpricedWarned.add(model)) {
            log.warn("model.prices has no price for model '{}': its calls count 0 {} towards budgets and /usage; "
                    + "add model.prices.\"{}\": { inputPerMillion: ..., outputPerMillion: ... }",
                    model, settings.currency(), bareName(model));
        }
    }

    /**
     * The price of a model as the gateway names it ({@code provider/name}, like {@code anthropic/claude-sonnet-4-5})
     * or as the config does ({@code claude-sonnet-4-5}); null when it has none.
     */
    public Price priceOf(String model) {
        Price exact = settings.prices().get(model);
        return exact != null || model == null ? exact : settings.prices().get(bareName(model));
    }

    /** The model's name without the provider the gateway puts in front. */
    private static String bareName(String model) {
        int slash = model.indexOf('/');
        return slash < 0 ? model : model.substring(slash + 1);
    }

    // ---------------------------------------------------------------- usage and checks

    /** The limits in force for a group and where they come from. */
    public record InForce(Limits limits, GroupUsage.Source source) {}

    /** A run-time override, else the group's own config, else the default. */
    public InForce limits(String groupId) {
        Optional<Limits> override = override(groupId);
        if (override.isPresent()) {
            return new InForce(override.get(), GroupUsage.Source.OVERRIDE);
        }
        Limits configured = settings.groups().get(groupId);
        return configured != null ? new InForce(configured, GroupUsage.Source.CONFIG_GROUP)
                : new InForce(settings.defaults(), GroupUsage.Source.DEFAULT);
    }

    public GroupUsage usage(String groupId) {
        return usage(groupId, limits(groupId));
    }

    private GroupUsage usage(String groupId, InForce inForce) {
        ZonedDateTime now = clock.instant().atZone(settings.zone());
        ZonedDateTime dayStart = now.toLocalDate().atStartOfDay(settings.zone());
        ZonedDateTime monthStart = now.toLocalDate().withDayOfMonth(1).atStartOfDay(settings.zone());
        Limits limits = inForce.limits();
        GroupUsage.Source source = inForce.source();
        Instant day = dayStart.toInstant();
        // one pass over the month's rows; rows without a stored cost are priced per model at today's prices
        List<ModelUse> uses = jdbc.run("reading the usage of " + groupId, tx -> tx.list("SELECT model, "
                + "SUM(input_tokens + output_tokens), "
                + "SUM(CASE WHEN occurred_at >= ? THEN input_tokens + output_tokens ELSE 0 END), "
                + "SUM(COALESCE(cost, 0)), "
                + "SUM(CASE WHEN occurred_at >= ? THEN COALESCE(cost, 0) ELSE 0 END), "
                + "SUM(CASE WHEN cost IS NULL THEN input_tokens ELSE 0 END), "
                + "SUM(CASE WHEN cost IS NULL THEN output_tokens ELSE 0 END), "
                + "SUM(CASE WHEN cost IS NULL AND occurred_at >= ? THEN input_tokens ELSE 0 END), "
                + "SUM(CASE WHEN cost IS NULL AND occurred_at >= ? THEN output_tokens ELSE 0 END) "
                + "FROM model_usage WHERE group_id = ? AND occurred_at >= ? GROUP BY model",
                rs -> new ModelUse(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getBigDecimal(4),
                        rs.getBigDecimal(5), rs.getLong(6), rs.getLong(7), rs.getLong(8), rs.getLong(9)),
                day, day, day, day, groupId, monthStart.toInstant()));
        long tokensMonth = 0;
        long tokensDay = 0;
        BigDecimal costMonth = BigDecimal.ZERO;
        BigDecimal costDay = BigDecimal.ZERO;
        for (ModelUse u : uses) {
            tokensMonth += u.tokensMonth();
            tokensDay += u.tokensDay();
            costMonth = costMonth.add(u.costMonth()).add(unstoredCost(u.model(), u.unpricedInMonth(),
                    u.unpricedOutMonth()));
            costDay = costDay.add(u.costDay()).add(unstoredCost(u.model(), u.unpricedInDay(), u.unpricedOutDay()));
        }
        return new GroupUsage(groupId, tokensDay, costDay, tokensMonth, costMonth, limits, source,
                settings.currency(), settings.zone(), dayStart.plusDays(1).toInstant(),
                monthStart.plusMonths(1).toInstant());
    }

    /** One model's row of the month's sums: tokens, stored costs, and the tokens of rows without a stored cost. */
    private record ModelUse(String model, long tokensMonth, long tokensDay, BigDecimal costMonth, BigDecimal costDay,
                            long unpricedInMonth, long unpricedOutMonth, long unpricedInDay, long unpricedOutDay) {}

    /** Whether the group may make another model call now. A group without limits costs one key lookup. */
    public Check check(String groupId) {
        return usageIfLimited(groupId).map(GroupUsage::check).orElseGet(Check.Allowed::new);
    }

    /** The group's usage when it has any limit; empty (after one key lookup, no sums) when it has none. */
    public Optional<GroupUsage> usageIfLimited(String groupId) {
        InForce inForce = limits(groupId);
        return inForce.limits().none() ? Optional.empty() : Optional.of(usage(groupId, inForce));
    }

    // ---------------------------------------------------------------- run-time overrides

    /** The limits set for this group at run time, if any. */
    public Optional<Limits> override(String groupId) {
        return jdbc.run("reading the budget override of " + groupId, tx -> tx.optional("SELECT daily_tokens, "
                + "monthly_tokens, daily_cost, monthly_cost FROM budget_overrides WHERE group_id = ?",
                rs -> new Limits(rs.getObject(1, Long.class), rs.getObject(2, Long.class), rs.getBigDecimal(3),
                        rs.getBigDecimal(4)), groupId));
    }

    /** {@link #setOverride(String, Limits, String)} by "admin". */
    public void setOverride(String groupId, Limits limits) {
        setOverride(groupId, limits, "admin");
    }

    /**
     * Sets the group's limits from now on: they replace the config's for this group, whole (a limit left null is
     * no limit). {@code by} says who, for the record.
     */
    public void setOverride(String groupId, Limits limits, String by) {
        jdbc.inTransaction("setting the budget override of " + groupId, tx -> {
            tx.update("DELETE FROM budget_overrides WHERE group_id = ?", groupId);
            return tx.update("INSERT INTO budget_overrides (group_id, daily_tokens, monthly_tokens, daily_cost, "
                    + "monthly_cost, set_at, set_by) VALUES (?, ?, ?, ?, ?, ?, ?)", groupId,
                    Tx.orNull(limits.dailyTokens(), Types.BIGINT), Tx.orNull(limits.monthlyTokens(), Types.BIGINT),
                    Tx.orNull(limits.dailyCost(), Types.DECIMAL), Tx.orNull(limits.monthlyCost(), Types.DECIMAL),
                    clock.instant(), by == null ? "unknown" : by);
        });
        log.info("[{}] budget override set by {}: {}", groupId, by, limits);
    }

    /** Goes back to the config's limits for this group. True when there was an override. */
    public boolean clearOverride(String groupId) {
        int removed = jdbc.run("clearing the budget override of " + groupId,
                tx -> tx.update("DELETE FROM budget_overrides WHERE group_id = ?", groupId));
        if (removed > 0) {
            log.info("[{}] budget override cleared", groupId);
        }
        return removed > 0;
    }

    // ---------------------------------------------------------------- notices told in chat

    /** True the first time in the limit's period that this group is warned about it (80 %); false after. */
    public boolean firstWarning(String groupId, Limit limit) {
        return claimNotice(groupId, limit, "warn", null);
    }

    /**
     * True when the used-up limit should be told now: the first time in its period, then again only once
     * {@link #EXHAUSTED_REPEAT} has passed since it was last told. Claimed in the store, so two turns (or hosts)
     * never both tell it.
     */
    public boolean exhaustedNoticeDue(String groupId, Limit limit) {
        return claimNotice(groupId, limit, "exhausted", EXHAUSTED_REPEAT);
    }

    private boolean claimNotice(String groupId, Limit limit, String kind, Duration repeatAfter) {
        Instant now = clock.instant();
        LocalDate today = now.atZone(settings.zone()).toLocalDate();
        String period = limit.daily() ? today.toString() : today.toString().substring(0, 7);
        String what = "recording a budget notice for " + groupId;
        try {
            if (jdbc.run(what, tx -> tx.update("INSERT INTO budget_notices (group_id, limit_name, period, kind, "
                    + "told_at) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM budget_notices WHERE group_id = ? "
                    + "AND limit_name = ? AND period = ? AND kind = ?)", groupId, limit.key(), period, kind, now,
                    groupId, limit.key(), period, kind)) > 0) {
                return true;
            }
        } catch (StoreException e) {
            if (Jdbc.isUniqueViolation(e)) {
                return false; // another turn or host inserted it between the check and the insert
            }
            throw e;
        }
        if (repeatAfter == null) {
            return false;
        }
        return jdbc.run(what, tx -> tx.update("UPDATE budget_notices SET told_at = ? WHERE group_id = ? "
                + "AND limit_name = ? AND period = ? AND kind = ? AND told_at <= ?", now, groupId, limit.key(), period,
                kind, now.minus(repeatAfter))) > 0;
    }

    // ---------------------------------------------------------------- what people read

    /** The 80 % warning. */
    public String warningText(GroupUsage usage, Reading r) {
        return "Heads-up: this group has used " + r.percent() + " % of its " + r.limit().periodWord() + " budget ("
                + amount(r.limit(), r.used()) + " of " + amount(r.limit(), r.max()) + "). It resets "
                + resets(usage, r.limit()) + ".";
    }

    /** The 100 % notice: what is used up, when it comes back, and who can raise it. */
    public String exhaustedText(GroupUsage usage, Reading r) {
        String key = usage.source() == GroupUsage.Source.DEFAULT ? "budgets.default." + r.limit().key()
                : "budgets.groups." + usage.groupId() + "." + r.limit().key();
        return "This group has used its " + r.limit().periodWord() + " budget of " + amount(r.limit(), r.max())
                + " (" + amount(r.limit(), r.used()) + " used), so I cannot call the model until it resets "
                + resets(usage, r.limit()) + ". An operator can raise it with " + key + " in the config, or at run "
                + "time for group " + usage.groupId() + " through the admin endpoint (POST /admin/api/budgets/override).";
    }

    /** "1,234 tokens of 50,000 tokens (2 %)", or "0.12 USD (no limit)". */
    public String against(GroupUsage usage, Limit limit) {
        BigDecimal max = usage.limits().of(limit);
        String used = amount(limit, usage.used(limit));
        return max == null ? used + " (no limit)"
                : used + " of " + amount(limit, max) + " (" + new Reading(limit, usage.used(limit), max).percent() + " %)";
    }

    /**
     * The group's spending against its limits in one line (the console shows it); empty when neither limits nor
     * prices are configured for it.
     */
    public Optional<String> summary(String groupId) {
        InForce inForce = limits(groupId);
        if (inForce.limits().none() && settings.prices().isEmpty()) {
            return Optional.empty();
        }
        GroupUsage u = usage(groupId, inForce);
        String line = "today " + against(u, Limit.DAILY_TOKENS) + ", " + against(u, Limit.DAILY_COST) + "; this month "
                + against(u, Limit.MONTHLY_TOKENS) + ", " + against(u, Limit.MONTHLY_COST);
        if (u.check() instanceof Check.Exhausted(Reading reached)) {
            line += "; " + reached.limit().periodWord() + " budget used up";
        }
        return Optional.of(line + (inForce.source() == GroupUsage.Source.OVERRIDE ? " (override)" : ""));
    }

    /** Tokens with thousands separators, or money with its currency. */
    public String amount(Limit limit, BigDecimal value) {
        return limit.money() ? money(value) + " " + settings.currency()
                : NumberFormat.getIntegerInstance(Locale.ENGLISH).format(value) + " tokens";
    }

    /** Money to the cent, or to four places when under a cent and not nothing. */
    public static String money(BigDecimal value) {
        BigDecimal cents = value.setScale(2, RoundingMode.HALF_UP);
        if (cents.signum() == 0 && value.signum() != 0) {
            return value.setScale(4, RoundingMode.HALF_UP).toPlainString();
        }
        return cents.toPlainString();
    }

    /** "at 00:00 UTC" for a day, "on 1 January at 00:00 UTC" for a month. */
    public String resets(GroupUsage usage, Limit limit) {
        ZonedDateTime at = usage.resetsAt(limit).atZone(settings.zone());
        return (limit.daily() ? "" : "on " + at.format(DateTimeFormatter.ofPattern("d MMMM", Locale.ENGLISH)) + " ")
                + "at 00:00 " + zoneName();
    }

    /** The zone days and months are counted in, as people read it. */
    public String zoneName() {
        return settings.zone().getId().equals("Z") ? "UTC" : settings.zone().getId();
    }
}
