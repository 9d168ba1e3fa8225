package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class SessionsTest {
    private final Store store;

    SessionsTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void startingATurnMarksItsMessagesCountsTheTurnAndAuditsIt() throws Exception {
        store.groups().bindNewGroup("web:chat:c1", "g1");
        long id = store.messages().insertInbound(new InboundMessage("web", "c1", null, "ann", "Ann", "hi", "p1",
                ChatKind.DIRECT, false, Instant.now()), MessageStatus.PENDING).orElseThrow();
        store.messages().assignGroup(id, "g1");
        store.sessions().startTurn("g1", List.of(id), "gvisor (runsc)");
        assertThat(store.messages().pendingFor("g1")).isEmpty();
        assertThat(store.messages().history("web", "c1")).singleElement()
                .satisfies(l -> assertThat(l.status()).isEqualTo("RUNNING"));
        assertThat(store.audit().auditTrail("g1")).extracting(AuditEvent::kind, AuditEvent::detail)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("turn.started", "1 message(s)"));
        assertThat(turns("g1")).isEqualTo(1);
        store.sessions().sessionReset("g1");
        assertThat(turns("g1")).isZero();
    }

    private int turns(String groupId) {
        return store.jdbc().run("reading turns", tx -> tx.one("SELECT turns FROM sessions WHERE group_id = ?",
                rs -> rs.getInt(1), groupId));
    }
}
