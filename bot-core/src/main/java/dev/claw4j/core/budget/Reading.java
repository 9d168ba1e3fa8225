package dev.claw4j.core.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** One limit against what was used in its period: tokens, or money in the configured currency. */
public record Reading(Limit limit, BigDecimal used, BigDecimal max) {
    /** Whole percent of the limit used (may be over 100). */
    public int percent() {
        return used.multiply(BigDecimal.valueOf(100)).divide(max, 0, RoundingMode.FLOOR).intValue();
    }

    public boolean reached() {
        return used.compareTo(max) >= 0;
    }

    /** At or past 80 % of the limit. */
    public boolean near() {
        return used.multiply(BigDecimal.TEN).compareTo(max.multiply(BigDecimal.valueOf(8))) >= 0;
    }
}
