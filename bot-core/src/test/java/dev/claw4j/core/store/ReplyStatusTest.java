package dev.claw4j.core.store;

import static dev.claw4j.core.store.ReplyStatus.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReplyStatusTest {
    private static final Map<ReplyStatus, Set<ReplyStatus>> ALLOWED = Map.of(
            PENDING, EnumSet.of(SENDING, DELIVERED, FAILED),
            SENDING, EnumSet.of(PENDING, DELIVERED, FAILED));

    @Test
    void everyMoveIsAllowedExactlyWhenTheTableSaysSo() {
        for (ReplyStatus from : values()) {
            for (ReplyStatus to : values()) {
                assertThat(from.canMoveTo(to)).as(from + " -> " + to)
                        .isEqualTo(ALLOWED.getOrDefault(from, Set.of()).contains(to));
            }
        }
    }

    @Test
    void anIllegalMoveNamesBothEnds() {
        assertThatThrownBy(() -> DELIVERED.requireMoveTo(SENDING)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("from DELIVERED to SENDING");
    }
}
