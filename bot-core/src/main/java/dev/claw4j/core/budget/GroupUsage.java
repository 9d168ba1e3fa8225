package dev.claw4j.core.budget;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;

/**
 * A group's use today and this month (days and months in {@code zone}), with the limits in force and where they
 * come from. Money is in {@code currency}.
 */
public record GroupUsage(String groupId, long tokensToday, BigDecimal costToday, long tokensThisMonth,
                         BigDecimal costThisMonth, Limits limits, Source source, String currency, ZoneId zone,
                         Instant dayEnds, Instant monthEnds) {

    /** Where the limits in force come from. */
    public enum Source { DEFAULT, CONFIG_GROUP, OVERRIDE }

    public BigDecimal used(Limit limit) {
        return switch (limit) {
            case DAILY_TOKENS -> BigDecimal.valueOf(tokensToday);
            case MONTHLY_TOKENS -> BigDecimal.valueOf(tokensThisMonth);
            case DAILY_COST -> costToday;
            case MONTHLY_COST -> costThisMonth;
        };
    }

    /** A reading of every limit the group has, in the order of {@link Limit}. */
    public List<Reading> readings() {
        List<Reading> out = new ArrayList<>();
        for (Limit l : Limit.values()) {
            BigDecimal max = limits.of(l);
            if (max != null) {
                out.add(new Reading(l, used(l), max));
            }
        }
        return out;
    }

    /** When the limit's period ends and it starts again from nothing. */
    public Instant resetsAt(Limit limit) {
        return limit.daily() ? dayEnds : monthEnds;
    }

    public Check check() {
        List<Reading> near = new ArrayList<>();
        for (Reading r : readings()) {
            if (r.reached()) {
                return new Check.Exhausted(r);
            }
            if (r.near()) {
                near.add(r);
            }
        }
        return near.isEmpty() ? new Check.Allowed() : new Check.Warn(List.copyOf(near));
    }
}
