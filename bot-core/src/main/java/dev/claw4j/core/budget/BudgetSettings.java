package dev.claw4j.core.budget;

import java.time.ZoneId;
import java.util.Map;

/**
 * Budgets as configured: the default limits, whole sets of limits for named groups (a group's set replaces the
 * default, it does not add to it), prices per model name, the currency word, and the zone whose midnights and
 * month starts end the periods.
 */
public record BudgetSettings(Limits defaults, Map<String, Limits> groups, Map<String, Price> prices, String currency,
                             ZoneId zone) {
    public static final BudgetSettings NONE = new BudgetSettings(null, null, null, null, null);

    public BudgetSettings {
        defaults = defaults == null ? Limits.NONE : defaults;
        groups = groups == null ? Map.of() : Map.copyOf(groups);
        prices = prices == null ? Map.of() : Map.copyOf(prices);
        currency = currency == null || currency.isBlank() ? "USD" : currency;
        zone = zone == null ? ZoneId.of("UTC") : zone;
    }

    /** True when some group has a money limit: then an unpriced model matters. */
    public boolean anyMoneyLimit() {
        return defaults.dailyCost() != null || defaults.monthlyCost() != null
                || groups.values().stream().anyMatch(l -> l.dailyCost() != null || l.monthlyCost() != null);
    }
}
