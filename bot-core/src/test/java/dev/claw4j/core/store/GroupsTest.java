package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.protocol.Usage;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@OnBothDatabases
class GroupsTest {
    private final Store store;

    GroupsTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static InboundMessage message(String chat, String platformId, String text) {
        return new InboundMessage("web", chat, null, "ann", "Ann", text, platformId, ChatKind.DIRECT, false,
                Instant.parse("2026-11-27T10:00:00Z"));
    }

    @Test
    void twoGroupsRacingForOneBindingEndUpAsOne() {
        String a = store.groups().bindNewGroup("web:chat:c1", "g-a");
        String b = store.groups().bindNewGroup("web:chat:c1", "g-b");
        assertThat(a).isEqualTo("g-a");
        assertThat(b).isEqualTo("g-a");
        assertThat(store.groups().groups()).containsExactly("g-a");
    }

    @Test
    void aGroupListsItsBindings() {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        assertThat(store.groups().groupForBinding("web:chat:c1")).contains("g1");
        assertThat(store.groups().groupForBinding("web:chat:c2")).isEmpty();
        assertThat(store.groups().bindingsOf("g1")).containsExactly("web:chat:c1");
    }
}
