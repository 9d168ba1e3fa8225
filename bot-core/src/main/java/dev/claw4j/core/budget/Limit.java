package dev.claw4j.core.budget;

/** The four limits a group's budget may have: tokens or money, per day or per month. */
public enum Limit {
    DAILY_TOKENS("dailyTokens", true, false),
    MONTHLY_TOKENS("monthlyTokens", false, false),
    DAILY_COST("dailyCost", true, true),
    MONTHLY_COST("monthlyCost", false, true);

    private final String key;
    private final boolean daily;
    private final boolean money;

    Limit(String key, boolean daily, boolean money) {
        this.key = key;
        this.daily = daily;
        this.money = money;
    }

    /** Its name in the config ({@code budgets.default.dailyTokens}) and in the notices table. */
    public String key() {
        return key;
    }

    public boolean daily() {
        return daily;
    }

    public boolean money() {
        return money;
    }

    /** "daily" or "monthly", for people. */
    public String periodWord() {
        return daily ? "daily" : "monthly";
    }
}
