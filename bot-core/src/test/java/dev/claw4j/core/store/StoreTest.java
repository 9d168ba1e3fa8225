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
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@OnBothDatabases
class StoreTest {
    private final Store store;

    StoreTest(TestDatabase db) {
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
    void survivesReopeningOnDisk(@TempDir Path dir) {
        try (Store disk = Store.open(dir)) {
            disk.messages().insertInbound(message("c1", "p1", "kept"), MessageStatus.PENDING);
        }
        try (Store again = Store.open(dir)) {
            assertThat(again.messages().history("web", "c1")).extracting(ChatLine::text).containsExactly("kept");
        }
    }
}
