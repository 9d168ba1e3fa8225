package dev.claw4j.core.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The connector's cursor moves with every message the host is handed, whatever becomes of it (stored and
 * queued, not addressed, refused, or a redelivery answered from the host's cache), and on its own.
 */
@OnBothDatabases
class HostCursorTest {
    private final TestDatabase database;

    HostCursorTest(TestDatabase database) {
        this.database = database;
    }

    private static final String KEY = "web:test";

    @TempDir
    Path data;

    private final List<String> queued = new CopyOnWriteArrayList<>();
    private HostRig rig;

    @BeforeEach
    void setUp() {
        rig = new HostRig(database.open(), data, HostRig.annOnly(), Map.of(), (group, turn) -> queued.add(group), new Metrics(new SimpleMeterRegistry()));
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private static InboundMessage message(String chat, String sender, String id, ChatKind kind, boolean mention) {
        return new InboundMessage("web", chat, null, sender, sender, "hello", id, kind, mention, Instant.now());
    }

    private String status(String chat, String platformId) {
        long id = rig.store.messages().inboundId("web", platformId).orElseThrow();
        return rig.store.messages().history("web", chat).stream().filter(l -> l.id() == id).findFirst().orElseThrow().status();
    }

    @Test
    void everyOutcomeMovesTheCursorWithTheMessage() {
        assertThat(rig.host.cursor(KEY)).isEmpty();
        rig.host.receive(message("dm-ann", "ann", "m1", ChatKind.DIRECT, false), new Cursor(KEY, 11));
        assertThat(status("dm-ann", "m1")).isEqualTo("PENDING");
        assertThat(rig.host.cursor(KEY)).hasValue(11);

        rig.host.receive(message("room", "bob", "m2", ChatKind.GROUP, false), new Cursor(KEY, 12));
        assertThat(status("room", "m2")).isEqualTo("IGNORED");
        assertThat(rig.host.cursor(KEY)).hasValue(12);

        rig.host.receive(message("dm-eve", "eve", "m3", ChatKind.DIRECT, false), new Cursor(KEY, 13));
        assertThat(status("dm-eve", "m3")).isEqualTo("REFUSED");
        assertThat(rig.host.cursor(KEY)).hasValue(13);

        // a redelivery, answered from the host's cache without an INSERT
        assertThat(rig.host.receive(message("dm-ann", "ann", "m1", ChatKind.DIRECT, false), new Cursor(KEY, 14))
                .duplicate()).isTrue();
        assertThat(rig.host.cursor(KEY)).hasValue(14);

        rig.host.advance(new Cursor(KEY, 15)); // an update with no message
        rig.host.advance(new Cursor(KEY, 9)); // never backwards
        assertThat(rig.host.cursor(KEY)).hasValue(15);
        assertThat(rig.store.messages().history("web", "dm-ann")).hasSize(1);
    }
}
