package dev.claw4j.core.store;

import static dev.claw4j.core.store.MessageStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MessageStatusTest {
    /** The whole table: every pair not listed here is refused. */
    private static final Map<MessageStatus, Set<MessageStatus>> ALLOWED = Map.of(
            PENDING, EnumSet.of(RUNNING, PAUSED, RATE_LIMITED, OVER_BUDGET, DONE, FAILED),
            RUNNING, EnumSet.of(PENDING, DONE, FAILED, OVER_BUDGET),
            PAUSED, EnumSet.of(PENDING));

    @Test
    void everyMoveIsAllowedExactlyWhenTheTableSaysSo() {
        for (MessageStatus from : values()) {
            for (MessageStatus to : values()) {
                assertThat(from.canMoveTo(to)).as(from + " -> " + to)
                        .isEqualTo(ALLOWED.getOrDefault(from, Set.of()).contains(to));
            }
        }
    }

    @Test
    void anIllegalMoveNamesBothEnds() {
        assertThat(PAUSED.requireMoveTo(PENDING)).isEqualTo(PENDING);
        assertThatThrownBy(() -> DONE.requireMoveTo(RUNNING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("from DONE to RUNNING");
    }

    @Test
    void theNamesAreTheOnesTheDatabaseHolds() {
        assertThat(EnumSet.allOf(MessageStatus.class)).extracting(Enum::name).containsExactlyInAnyOrder("PENDING",
                "RUNNING", "DONE", "FAILED", "PAUSED", "IGNORED", "REFUSED", "RATE_LIMITED", "OVER_BUDGET");
    }
}
