package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class PausesTest {
    private final Store store;

    PausesTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aPauseHoldsMessagesUntilTheResumeReleasesThem() {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        assertThat(store.pauses().pause("g1", "admin")).isTrue();
        assertThat(store.pauses().pause("g1", "admin")).isFalse();
        assertThat(store.pauses().pausedGroups()).containsExactly("g1");
        long held = store.messages().insertInbound(new InboundMessage("web", "c1", null, "ann", "Ann", "hi", "p1",
                ChatKind.DIRECT, false, Instant.now()), MessageStatus.PAUSED).orElseThrow();
        store.messages().assignGroup(held, "g1");
        assertThat(store.pauses().pauseNoticeOnce("g1", "web", "c1")).isTrue();
        assertThat(store.pauses().pauseNoticeOnce("g1", "web", "c1")).isFalse();

        assertThat(store.pauses().resume("g1")).isEqualTo(1);
        assertThat(store.messages().pendingFor("g1")).extracting(StoredInbound::id).containsExactly(held);
        assertThat(store.pauses().pausedGroups()).isEmpty();
        assertThat(store.pauses().resume("g1")).isEqualTo(-1);
        assertThat(store.pauses().pauseNoticeOnce("g1", "web", "c1")).isTrue(); // notices went with the pause
    }
}
