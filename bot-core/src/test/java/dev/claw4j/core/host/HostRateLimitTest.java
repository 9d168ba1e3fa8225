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

/** Over a rate limit a message is kept (RATE_LIMITED), never queued, and the person told once a minute. */
@OnBothDatabases
class HostRateLimitTest {
    private final TestDatabase database;

    HostRateLimitTest(TestDatabase database) {
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
                "test", dev.claw4j.core.metrics.Metrics.none(),
                new dev.claw4j.core.ratelimit.RateLimiter(new dev.claw4j.core.ratelimit.RateLimiter.Settings(2, 0),
                        Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        queue.close();
        outbox.close();
        store.close();
    }

    @Test
    void aMessageOverTheLimitIsKeptMarkedAndAnsweredWithOneNotice() throws Exception {
        send("dm-ana", "one");
        send("dm-ana", "two");
        send("dm-ana", "three");
        send("dm-ana", "four");
        await(() -> delivered.size() == 1);
        await(() -> turns.size() == 2);
        Thread.sleep(300);
        String group = store.groups().groupForBinding("web:chat:dm-ana").orElseThrow();
        assertThat(turns).as("only the first two reach a turn").containsExactly(group + " one", group + " two");
        assertThat(delivered).singleElement().asString().contains("faster than I take them");
        assertThat(store.messages().history("web", "dm-ana")).filteredOn(l -> l.direction().equals("in"))
                .extracting(l -> l.text() + " " + l.status())
                .containsExactly("one DONE", "two DONE", "three RATE_LIMITED", "four RATE_LIMITED");
        assertThat(store.audit().auditTrail(group)).filteredOn(e -> e.kind().equals("rate.limited")).hasSize(1);
        assertThat(store.messages().pendingFor(group)).as("nothing left waiting for a turn").isEmpty();
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
