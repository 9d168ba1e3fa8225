package dev.claw4j.core.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.store.Store;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the host counts of the messages connectors hand in: each once, by what became of it. */
class HostMetricsTest {
    @TempDir
    Path data;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<String> queued = new CopyOnWriteArrayList<>();
    private HostRig rig;

    @BeforeEach
    void setUp() {
        rig = new HostRig(Store.inMemory("metrics-" + UUID.randomUUID()), data, HostRig.annOnly(), Map.of(), (group, turn) -> queued.add(group), new Metrics(registry));
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private static InboundMessage message(String chat, String sender, String id, ChatKind kind, boolean mention) {
        return new InboundMessage("web", chat, null, sender, sender, "hello", id, kind, mention, Instant.now());
    }

    private double received(String outcome) {
        var counter = registry.find("claw4j.messages.received").tags("platform", "web", "outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private double refusals(String kind) {
        var counter = registry.find("claw4j.refusals").tag("kind", kind).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void eachMessageIsCountedOnceByWhatBecameOfIt() {
        rig.host.receive(message("dm-ann", "ann", "m1", ChatKind.DIRECT, false));
        rig.host.receive(message("dm-ann", "ann", "m1", ChatKind.DIRECT, false)); // redelivered, from the cache
        rig.host.receive(message("room", "bob", "m2", ChatKind.GROUP, false)); // not addressed
        rig.host.receive(message("room", "bob", "m3", ChatKind.GROUP, true));
        rig.host.receive(message("dm-zed", "zed", "m4", ChatKind.DIRECT, false)); // not on the allowlist

        assertThat(received("accepted")).isEqualTo(2);
        assertThat(received("duplicate")).isEqualTo(1);
        assertThat(received("ignored")).isEqualTo(1);
        assertThat(received("refused")).isEqualTo(1);
        assertThat(rig.store.audit().auditByKind("access.refused")).as("the refusal really happened").hasSize(1);
        assertThat(refusals("access.refused")).isEqualTo(1);
    }

    @Test
    void aConnectorsRefusalIsCounted() {
        rig.host.refused("web", "a request with a bad token");
        assertThat(rig.store.audit().auditByKind("connector.refused")).hasSize(1);
        assertThat(refusals("connector.refused")).isEqualTo(1);
    }
}
