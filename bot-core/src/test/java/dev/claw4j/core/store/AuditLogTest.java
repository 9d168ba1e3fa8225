package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class AuditLogTest {
    private final Store store;

    AuditLogTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void eventsAreFoundByGroupKindAndText() {
        store.audit().record("g1", "tool.finished", "bash ls 100%_done", null);
        store.audit().record("g1", "tool.refused", "network", null);
        store.audit().record("g2", "tool.finished", "other group", null);
        store.audit().record(null, "host.started", "v1", null);

        assertThat(store.audit().auditTrail("g1")).extracting(AuditEvent::kind)
                .containsExactly("tool.finished", "tool.refused");
        assertThat(store.audit().auditByKind("host.started")).singleElement()
                .satisfies(e -> assertThat(e.groupId()).isNull());
        assertThat(store.audit().groupAudit("g1", "tool.finished", null, 10)).extracting(AuditEvent::detail)
                .containsExactly("bash ls 100%_done");
        assertThat(store.audit().groupAudit("g1", null, "%_D", 10)).extracting(AuditEvent::detail)
                .containsExactly("bash ls 100%_done"); // % and _ are matched as text, any case
        assertThat(store.audit().groupAudit("g1", null, null, 1)).extracting(AuditEvent::kind)
                .containsExactly("tool.refused"); // newest first
        assertThat(store.audit().auditKinds("g1")).isEqualTo(Map.of("tool.finished", 1L, "tool.refused", 1L));
        assertThat(store.audit().recentAudit(List.of("tool.finished", "host.started"), 2)).extracting(AuditEvent::kind)
                .containsExactly("host.started", "tool.finished");
        assertThat(store.audit().recentAudit(List.of(), 2)).isEmpty();
    }
}
