package dev.claw4j.core.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.access.Gatekeeper;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.routing.BindingPolicy;
import dev.claw4j.core.routing.Router;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A paused group keeps its messages without running turns, tells each chat once, and resuming queues them. */
@OnBothDatabases
class HostPauseTest {
    private final TestDatabase database;

    HostPauseTest(TestDatabase database) {
        this.database = database;
    }

    @TempDir
    Path data;

    private HostRig rig;
    private final List<String> turns = new CopyOnWriteArrayList<>();
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        Store opened = database.open();
        rig = new HostRig(opened, data, AccessPolicy.open(), HostRig.web(delivered), HostRig.noting(opened, turns),
                Metrics.none());
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @Test
    void pausedMessagesWaitUntilResumeAndEachChatIsToldOnce() throws Exception {
        send("dm-ana", "first");
        await(() -> turns.size() == 1);
        String group = rig.store.groups().groupForBinding("web:chat:dm-ana").orElseThrow();

        assertThat(rig.host.pause(group, "console")).isTrue();
        assertThat(rig.host.pause(group, "console")).as("pausing twice changes nothing").isFalse();
        send("dm-ana", "second");
        send("dm-ana", "third");
        await(() -> delivered.size() == 1);
        Thread.sleep(300);
        assertThat(turns).as("no turn while paused").containsExactly(group + " first");
        assertThat(delivered).as("told once, not per message").containsExactly("dm-ana: " + Host.PAUSED_NOTICE);
        assertThat(rig.store.messages().history("web", "dm-ana")).filteredOn(l -> l.direction().equals("in"))
                .extracting(l -> l.status()).containsExactly("DONE", "PAUSED", "PAUSED");

        // a fresh host (a restart) still knows the group is paused
        Host restarted = new Host(rig.store, new Router(rig.store, BindingPolicy.PER_CHAT, new GroupFolders(data, (g, r) -> { })),
                rig.queue, new IncomingFiles(data), new Gatekeeper(AccessPolicy.open(),
                new AccessStore(rig.store.dataSource()), Clock.systemUTC()), rig.outbox, "test");
        assertThat(restarted.isPaused(group)).isTrue();

        assertThat(rig.host.resume(group, "console")).isTrue();
        await(() -> turns.size() == 3);
        assertThat(turns).containsExactly(group + " first", group + " second", group + " third");
        assertThat(rig.host.resume(group, "console")).as("not paused any more").isFalse();
        assertThat(rig.store.audit().auditTrail(group)).extracting(e -> e.kind()).contains("group.paused", "group.resumed");

        // a new pause tells the chat again, once
        rig.host.pause(group, "console");
        send("dm-ana", "fourth");
        await(() -> delivered.size() == 2);
    }

    private void send(String chat, String text) {
        rig.host.receive(new InboundMessage("web", chat, null, "web:ana", "ana", text, UUID.randomUUID().toString(),
                ChatKind.DIRECT, false, Instant.now()));
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
