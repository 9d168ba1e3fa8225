package dev.claw4j.core.budget;

import java.math.BigDecimal;
import java.math.RoundingMode;

/** What a model costs per million input and output tokens, in the configured currency. */
public record Price(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
    private static final BigDecimal MILLION = BigDecimal.valueOf(1_000_000);

    public Price {
        if (inputPerMillion == null || outputPerMillion == null) {
            throw new IllegalArgumentException("a model price needs both inputPerMillion and outputPerMillion");
        }
        if (inputPerMillion.signum() < 0 || outputPerMillion.signum() < 0) {
            throw new IllegalArgumentException("a model price cannot be negative (inputPerMillion "
                    + inputPerMillion + ", outputPerMillion " + outputPerMillion + ")");
        }
        inputPerMillion = inputPerMillion.stripTrailingZeros();
        outputPerMillion = outputPerMillion.stripTrailingZeros();
    }

    /** What these tokens cost, to ten decimal places. */
    public BigDecimal cost(long inputTokens, long outputTokens) {
        return inputPerMillion.multiply(BigDecimal.valueOf(inputTokens))
                .add(outputPerMillion.multiply(BigDecimal.valueOf(outputTokens)))
                .divide(MILLION, 10, RoundingMode.HALF_UP);
    }
}
