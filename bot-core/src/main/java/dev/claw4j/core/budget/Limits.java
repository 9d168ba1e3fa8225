package dev.claw4j.core.budget;

import java.math.BigDecimal;

/**
 * The limits of one group's budget; null is no limit. Money is in the configured currency. A limit of 0 or less is
 * refused: leaving it out means no limit, and a group that may spend nothing is better paused.
 */
public record Limits(Long dailyTokens, Long monthlyTokens, BigDecimal dailyCost, BigDecimal monthlyCost) {
    public static final Limits NONE = new Limits(null, null, null, null);

    public Limits {
        positive("dailyTokens", dailyTokens == null ? null : BigDecimal.valueOf(dailyTokens));
        positive("monthlyTokens", monthlyTokens == null ? null : BigDecimal.valueOf(monthlyTokens));
        positive("dailyCost", dailyCost);
        positive("monthlyCost", monthlyCost);
        // 5, 5.0 and 5.00 are the same limit (YAML gives doubles, the database its own scale)
        dailyCost = dailyCost == null ? null : dailyCost.stripTrailingZeros();
        monthlyCost = monthlyCost == null ? null : monthlyCost.stripTrailingZeros();
    }

    /** The limit's value, or null when there is none. */
    public BigDecimal of(Limit limit) {
        return switch (limit) {
            case DAILY_TOKENS -> dailyTokens == null ? null : BigDecimal.valueOf(dailyTokens);
            case MONTHLY_TOKENS -> monthlyTokens == null ? null : BigDecimal.valueOf(monthlyTokens);
            case DAILY_COST -> dailyCost;
            case MONTHLY_COST -> monthlyCost;
        };
    }

    public boolean none() {
        return dailyTokens == null && monthlyTokens == null && dailyCost == null && monthlyCost == null;
    }

    private static void positive(String key, BigDecimal value) {
        if (value != null && value.signum() <= 0) {
            throw new IllegalArgumentException("budget limit " + key + " must be more than 0, got " + value
                    + "; leave it out for no limit");
        }
    }
}
