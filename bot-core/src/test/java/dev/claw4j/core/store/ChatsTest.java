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
class ChatsTest {
    private final Store store;

    ChatsTest(TestDatabase db) {
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
    void firstMessagesOfOneChatRacingDoNotFail() throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> all = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                all.add(pool.submit(() -> store.chats().ensureChat("web", "busy", ChatKind.GROUP)));
            }
            for (Future<?> f : all) {
                f.get();
            }
        }
    }

    @Test
    void aChatBindingIsReadBackOnlyOnceSet() {
        store.chats().ensureChat("web", "c1", ChatKind.GROUP);
        assertThat(store.chats().chatBinding("web", "c1")).isEmpty();
        assertThat(store.chats().chatBinding("web", "nowhere")).isEmpty();
        store.chats().setChatBinding("web", "c1", "per-user");
        assertThat(store.chats().chatBinding("web", "c1")).contains("per-user");
    }
}
