package dev.claw4j.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.access.Gatekeeper;
import dev.claw4j.core.budget.BudgetSettings;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.NotingConnector;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.host.Host;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.routing.BindingPolicy;
import dev.claw4j.core.routing.Router;
import dev.claw4j.core.sandbox.FakeRuntime;
import dev.claw4j.core.sandbox.SandboxManager;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.Watchdog;
import dev.claw4j.core.store.MessageStatus;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.core.turn.AgentTurns;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Two whole hosts (Host, GroupQueue, AgentTurns, Outbox, leases) in one JVM on one database, their agents speaking
 * the real protocol over pipes, a NOTIFY stand-in between them. One is "killed" (its heartbeat stops and its agents
 * never answer again) or "paused" past its lease and resumed; the other takes its groups over. The same scenarios
 * with real host processes on PostgreSQL are the app's TwoHostsIT.
 */
@OnBothDatabases
class TwoHostsTest {
    private final Store store;
    private static final ClusterSettings FAST = new ClusterSettings(Duration.ofMillis(1200), Duration.ofMillis(300));

    @TempDir
    Path shared; // the group folders both hosts see (shared storage)

    /** What PostgreSQL's NOTIFY does between hosts: every host hears every signal. */
    private final List<Consumer<String>> bus = new CopyOnWriteArrayList<>();
    /** Every delivery any host made: reply id, host. */
    private final List<String> deliveries = new CopyOnWriteArrayList<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final List<TestHost> hosts = new ArrayList<>();

    TwoHostsTest(TestDatabase db) {
        this.store = db.open();
    }

    @BeforeEach
    void captureLogs() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logs);
    }

    @AfterEach
    void close() {
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logs);
        hosts.forEach(TestHost::close);
        store.close();
    }

    /** One host: the same wiring as the launcher's, on the shared store. */
    private final class TestHost {
        final String id;
        final Cluster cluster;
        final EchoAgent agents = new EchoAgent();
        final SandboxManager sandboxes;
        final Outbox outbox;
        final GroupQueue queue;
        final Host host;
        final Takeovers takeovers;
        volatile boolean beating = true;
        volatile boolean closed;
        final Thread heartbeat;

        TestHost(String id) {
            this.id = id;
            cluster = new Cluster(store.dataSource(), new HostIdentity(id, "one-machine"), FAST).register();
            sandboxes = new SandboxManager(new FakeRuntime(agents), g -> new SandboxSpec(g, shared.resolve(g), null,
                    SandboxLimits.DEFAULTS), g -> () -> 0L, Watchdog.Limits.of(100L << 20), (g, k, d) -> { });
            Connector web = new NotingConnector("web", m -> deliveries.add(m.id() + " by " + id));
            outbox = new Outbox(store, Map.of("web", web), Clock.systemUTC()).asHost(id);
            GroupFolders folders = new GroupFolders(shared, (g, r) -> { });
            AgentTurns turns = new AgentTurns(store, sandboxes,
                    (group, request) -> new ProtocolError(request.id(), ProtocolError.MODEL_FAILED, "no model here"),
                    outbox, folders, new IncomingFiles(shared.resolve(id)), (platform, chat, thread, busy, failed) -> { },
                    AccessPolicy.open(), new AgentTurns.Settings(Duration.ofSeconds(20), "claw", ToolSettings.DEFAULTS),
                    new Budgets(store.dataSource(), BudgetSettings.NONE, Clock.systemUTC()));
            queue = new GroupQueue(4, Duration.ofMinutes(1), sandboxes::discard, turns, Clock.systemUTC())
                    .withGate(cluster::hold);
            host = new Host(store, new Router(store, BindingPolicy.PER_CHAT, folders), queue,
                    new IncomingFiles(shared.resolve(id)), new Gatekeeper(AccessPolicy.open(),
                    new AccessStore(store.dataSource()), Clock.systemUTC()), outbox, "fake")
                    .joinCluster(cluster, true, group -> bus.forEach(listener -> listener.accept(group)));
            bus.add(group -> {
                if (beating && cluster.fence(group).isPresent()) {
                    queue.submit(group, 0);
                }
            });
            takeovers = new Takeovers(cluster, group -> queue.submit(group, 0));
            // the host's loops, driven here so the test can stop them (a kill) or hold them (a pause)
            heartbeat = Thread.ofVirtual().name("heartbeat-" + id).start(() -> {
                while (!closed) {
                    if (beating) {
                        try {
                            cluster.tick();
                            takeovers.round();
                        } catch (RuntimeException e) {
                            // the store closed under a finished test
                        }
                    }
                    try {
                        Thread.sleep(FAST.renew().toMillis());
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            outbox.start();
            host.recover();
            hosts.add(this);
        }

        void receive(String chat, String platformId, String text) {
            host.receive(new InboundMessage("web", chat, null, "u-" + chat, "U " + chat, text, platformId,
                    ChatKind.DIRECT, false, Instant.now()));
        }

        /** SIGKILL, as far as the others can tell: no heartbeat, no renewal, no delivery, agents never answer. */
        void kill() {
            beating = false;
            agents.freeze();
            agents.release();
            outbox.close();
        }

        void close() {
            closed = true;
            beating = false;
            heartbeat.interrupt();
            queue.close();
            outbox.close();
            sandboxes.close();
            takeovers.close();
        }
    }

    @Test
    void twoHundredMessagesOverFortyChatsToTwoHostsOneKilledInTheMiddleAreEachAnsweredOnce() throws Exception {
        TestHost a = new TestHost("host-a");
        TestHost b = new TestHost("host-b");
        int chats = 40;
        int total = 200;
        for (int i = 0; i < total; i++) {
            if (i == total / 2) {
                a.kill();
            }
            String chat = "chat-%02d".formatted(i % chats);
            TestHost to = i % 2 == 0 && i < total / 2 ? a : b;
            to.receive(chat, "m-" + i, chat + " msg " + (i / chats));
            Thread.sleep(5);
        }

        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (doneCount() < total) {
            assertThat(System.nanoTime()).as("all %d messages answered (done: %d)", total, doneCount())
                    .isLessThan(deadline);
            Thread.sleep(100);
        }
        Thread.sleep(FAST.lease().toMillis()); // room for a doubled answer to show up

        List<String> deliveredReplies = new ArrayList<>();
        for (int c = 0; c < chats; c++) {
            String chat = "chat-%02d".formatted(c);
            List<ChatLine> lines = store.messages().history("web", chat);
            List<ChatLine> replies = lines.stream().filter(l -> l.direction().equals("out")).toList();
            assertThat(replies).as("replies in %s", chat).allSatisfy(r -> assertThat(r.status()).isEqualTo("DELIVERED"));
            for (ChatLine in : lines.stream().filter(l -> l.direction().equals("in")).toList()) {
                assertThat(in.status()).as("%s: %s", chat, in.text()).isEqualTo("DONE");
                assertThat(replies.stream().filter(r -> r.text().startsWith("re: ")
                        && List.of(r.text().substring(4).split(" \\| ")).contains(in.text())))
                        .as("replies answering '%s'", in.text()).hasSize(1);
            }
            replies.forEach(r -> deliveredReplies.add(String.valueOf(r.id())));
        }
        Map<String, Integer> perReply = new ConcurrentHashMap<>();
        deliveries.forEach(d -> perReply.merge(d.substring(0, d.indexOf(' ')), 1, Integer::sum));
        assertThat(perReply).as("deliveries per reply").allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        assertThat(perReply.keySet()).containsExactlyInAnyOrderElementsOf(deliveredReplies);
        assertThat(messages()).as("the survivor took the dead host's groups over")
                .anyMatch(m -> m.contains("took over group") && m.contains("from host host-a"));
    }

    @Test
    void aHostPausedPastItsLeaseLosesTheGroupAndItsLateWritesAreRefused() throws Exception {
        TestHost a = new TestHost("host-a");
        TestHost b = new TestHost("host-b");
        a.agents.hold();
        b.agents.hold();
        a.receive("chat-p", "p-1", "are you there");
        // the host that stored it usually runs it, but the other's round may take a new group first
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        TestHost held = null;
        while (held == null) {
            assertThat(System.nanoTime()).as("an agent has the turn").isLessThan(deadline);
            held = a.agents.awaitHeldTurn(Duration.ofMillis(50)) ? a
                    : b.agents.awaitHeldTurn(Duration.ofMillis(50)) ? b : null;
        }
        TestHost first = held;
        TestHost other = first == a ? b : a;
        other.agents.release();
        String group = store.groups().groupForBinding("web:chat:chat-p").orElseThrow();
        assertThat(first.cluster.holderOf(group)).contains(first.id);

        first.beating = false; // SIGSTOP: nothing of it runs (its agent stays held mid-turn)
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (store.messages().history("web", "chat-p").stream().noneMatch(l -> l.status().equals("DELIVERED"))) {
            assertThat(System.nanoTime()).as("the other host answered the message").isLessThan(deadline);
            Thread.sleep(50);
        }
        assertThat(other.cluster.holderOf(group)).contains(other.id);

        first.beating = true; // SIGCONT: its turn goes on and tries to store its reply
        first.agents.release();
        deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (messages().stream().noneMatch(m -> m.contains("turn abandoned"))) {
            assertThat(System.nanoTime()).as("the late turn ended").isLessThan(deadline);
            Thread.sleep(50);
        }
        deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (first.cluster.heldGroups().contains(group)) {
            assertThat(System.nanoTime()).as("the paused host let the group go").isLessThan(deadline);
            Thread.sleep(50);
        }
        Thread.sleep(FAST.lease().toMillis()); // room for a second reply to show up

        List<ChatLine> chat = store.messages().history("web", "chat-p");
        assertThat(chat).extracting(ChatLine::text).containsExactly("are you there", "re: are you there");
        assertThat(chat).extracting(ChatLine::status).containsExactly("DONE", "DELIVERED");
        assertThat(deliveries).singleElement().satisfies(d -> assertThat(d).endsWith("by " + other.id));
        assertThat(messages()).as("the late write was refused by the fence")
                .anyMatch(m -> m.contains("refused storing a reply: host " + first.id + " no longer holds group "
                        + group))
                .anyMatch(m -> m.contains("took over group " + group + " from host " + first.id));
    }

    /**
     * Slack Socket Mode on several hosts (issue 14): Slack may hand one event to the connector of each host. Both
     * store it at the same moment under the same platform message id (channel and ts): it is stored once, answered
     * once and delivered once.
     */
    @Test
    void theSameEventReceivedByTwoHostsAtOnceIsStoredOnceAndAnsweredOnce() throws Exception {
        TestHost a = new TestHost("host-a");
        TestHost b = new TestHost("host-b");
        for (int i = 0; i < 10; i++) {
            String chat = "chat-s" + i;
            String id = "C1:17." + i;
            String text = "hi " + i;
            var start = new java.util.concurrent.CountDownLatch(1);
            Thread ta = Thread.ofVirtual().start(() -> awaitThen(start, () -> a.receive(chat, id, text)));
            Thread tb = Thread.ofVirtual().start(() -> awaitThen(start, () -> b.receive(chat, id, text)));
            start.countDown();
            ta.join();
            tb.join();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (int i = 0; i < 10; i++) {
            String chat = "chat-s" + i;
            while (store.messages().history("web", chat).stream().noneMatch(l -> l.status().equals("DELIVERED"))) {
                assertThat(System.nanoTime()).as("%s answered", chat).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
        Thread.sleep(FAST.lease().toMillis()); // room for a second answer to show up
        for (int i = 0; i < 10; i++) {
            assertThat(store.messages().history("web", "chat-s" + i)).extracting(ChatLine::text)
                    .containsExactly("hi " + i, "re: hi " + i);
        }
        assertThat(deliveries).hasSize(10);
    }

    private static void awaitThen(java.util.concurrent.CountDownLatch start, Runnable then) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        then.run();
    }

    private int doneCount() {
        int n = 0;
        for (int c = 0; c < 40; c++) {
            n += (int) store.messages().history("web", "chat-%02d".formatted(c)).stream()
                    .filter(l -> l.direction().equals("in") && l.status().equals("DONE")).count();
        }
        return n;
    }

    private List<String> messages() {
        synchronized (logs) { // the appender adds under its own lock
            return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        }
    }
}
