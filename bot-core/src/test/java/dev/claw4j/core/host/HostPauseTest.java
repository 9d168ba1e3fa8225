package dev.claw4j.core.host;

import dev.claw4j.core.store.MessageStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.access.Gatekeeper;
import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
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
import java.util.Map;
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

    private Store store;
    private Outbox outbox;
    private GroupQueue queue;
    private Host host;
    private final List<String> turns = new CopyOnWriteArrayList<>();
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        store = database.open();
        Connector web = new Connector() {
            public String platform() {
                return "web";
            }

            public void start(Inbox inbox) {}

            public dev.claw4j.core.connector.Delivered deliver(OutboundMessage message) {
                delivered.add(message.chatId() + ": " + message.text());
                return dev.claw4j.core.connector.Delivered.NO_IDS;
            }

            public void close() {}
        };
        outbox = new Outbox(store, Map.of("web", web), Clock.systemUTC());
        // a turn here only records which messages it took (as the real one marks them RUNNING)
        queue = new GroupQueue(2, Duration.ofMinutes(1), g -> { }, (group, turn) -> {
            var pending = store.messages().pendingFor(group);
            pending.forEach(p -> turns.add(group + " " + p.text()));
            store.messages().setStatus(pending.stream().map(p -> p.id()).toList(), MessageStatus.DONE);
        }, Clock.systemUTC());
        GroupFolders folders = new GroupFolders(data, (g, r) -> { });
        host = new Host(store, new Router(store, BindingPolicy.PER_CHAT, folders), queue, new IncomingFiles(data),
                new Gatekeeper(AccessPolicy.open(), new AccessStore(store.dataSource()), Clock.systemUTC()), outbox,
                "test");
    }

    @AfterEach
    void tearDown() {
        queue.close();
        outbox.close();
        store.close();
    }

    @Test
    void pausedMessagesWaitUntilResumeAndEachChatIsToldOnce() throws Exception {
        send("dm-ana", "first");
        await(() -> turns.size() == 1);
        String group = store.groups().groupForBinding("web:chat:dm-ana").orElseThrow();

        assertThat(host.pause(group, "console")).isTrue();
        assertThat(host.pause(group, "console")).as("pausing twice changes nothing").isFalse();
        send("dm-ana", "second");
        send("dm-ana", "third");
        await(() -> delivered.size() == 1);
        Thread.sleep(300);
        assertThat(turns).as("no turn while paused").containsExactly(group + " first");
        assertThat(delivered).as("told once, not per message").containsExactly("dm-ana: " + Host.PAUSED_NOTICE);
        assertThat(store.messages().history("web", "dm-ana")).filteredOn(l -> l.direction().equals("in"))
                .extracting(l -> l.status()).containsExactly("DONE", "PAUSED", "PAUSED");

        // a fresh host (a restart) still knows the group is paused
        Host restarted = new Host(store, new Router(store, BindingPolicy.PER_CHAT, new GroupFolders(data, (g, r) -> { })),
                queue, new IncomingFiles(data), new Gatekeeper(AccessPolicy.open(),
                new AccessStore(store.dataSource()), Clock.systemUTC()), outbox, "test");
        assertThat(restarted.isPaused(group)).isTrue();

        assertThat(host.resume(group, "console")).isTrue();
        await(() -> turns.size() == 3);
        assertThat(turns).containsExactly(group + " first", group + " second", group + " third");
        assertThat(host.resume(group, "console")).as("not paused any more").isFalse();
        assertThat(store.audit().auditTrail(group)).extracting(e -> e.kind()).contains("group.paused", "group.resumed");

        // a new pause tells the chat again, once
        host.pause(group, "console");
        send("dm-ana", "fourth");
        await(() -> delivered.size() == 2);
    }

    private void send(String chat, String text) {
        host.receive(new InboundMessage("web", chat, null, "web:ana", "ana", text, UUID.randomUUID().toString(),
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
