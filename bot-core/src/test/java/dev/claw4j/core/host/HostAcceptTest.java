package dev.claw4j.core.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the host answers a connector is true of the store: a message is acknowledged with the id it is stored under,
 * and "duplicate" only when a copy with its platform id is stored. A clash on anything else is an error the sender
 * sees (the web API then answers 500, not 202), never an acknowledged message that is stored nowhere.
 */
@OnBothDatabases
class HostAcceptTest {
    private final TestDatabase database;

    HostAcceptTest(TestDatabase database) {
        this.database = database;
    }

    @TempDir
    Path data;

    private HostRig rig;

    @BeforeEach
    void setUp() {
        rig = new HostRig(database.open(), data, AccessPolicy.open(), Map.of(), (group, turn) -> { }, new Metrics(new SimpleMeterRegistry()));
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    private static InboundMessage message(String platformId) {
        return new InboundMessage("web", "room", null, "ann", "ann", "hello " + platformId, platformId,
                ChatKind.GROUP, false, Instant.now());
    }

    @Test
    void aRedeliveryIsAnsweredWithTheStoredCopysId() {
        long first = rig.host.receive(message("p1")).messageId();
        assertThat(rig.host.receive(message("p1"))).extracting(a -> a.messageId(), a -> a.duplicate())
                .containsExactly(first, true);
    }

    @Test
    void aClashOnTheRowIdIsNotAcknowledgedAsADuplicate() {
        long first = rig.host.receive(message("p1")).messageId();
        // a row under the next id the identity hands out, made outside the identity (as a database whose identity
        // fell behind its rows would be): the next message's INSERT clashes on the primary key, not on its platform id
        rig.store.jdbc().run("placing a row in the identity's way", tx -> tx.update("INSERT INTO messages (id, direction, "
                + "platform, chat_id, sender_id, sender_name, text, platform_message_id, status, created_at, updated_at) VALUES "
                + "(?, 'in', 'web', 'room', 'bob', 'bob', 'in the way', 'other', 'IGNORED', ?, ?)", first + 1, Instant.now(),
                Instant.now()));

        assertThatThrownBy(() -> rig.host.receive(message("p2")))
                .as("the clash happened and was not taken for a redelivery")
                .hasMessageContaining("web:p2").hasMessageContaining("not acknowledged");
        assertThat(rig.store.messages().inboundId("web", "p2")).as("p2 is not stored").isEmpty();

        // the sender's retry goes through once the identity has moved past the row in its way
        assertThat(rig.host.receive(message("p2"))).extracting(a -> a.duplicate()).isEqualTo(false);
        assertThat(rig.store.messages().inboundId("web", "p2")).isPresent();
    }
}
