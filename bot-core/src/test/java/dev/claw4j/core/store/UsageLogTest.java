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
class UsageLogTest {
    private final Store store;

    UsageLogTest(TestDatabase db) {
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
    void usageAndAuditAreRecordedPerGroup() {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        store.usage().recordUsage("g1", "openai/x", new Usage(10, 5), 12, "OK");
        store.usage().recordUsage("g1", "openai/x", new Usage(1, 1), 3, "OK");
        assertThat(store.usage().totalUsage("g1")).isEqualTo(new Usage(11, 6));
        store.audit().record("g1", "tool.finished", "bash ls ok", "gvisor (runsc)");
        assertThat(store.audit().auditTrail("g1")).singleElement()
                .satisfies(e -> assertThat(e.isolation()).isEqualTo("gvisor (runsc)"));
    }
}
