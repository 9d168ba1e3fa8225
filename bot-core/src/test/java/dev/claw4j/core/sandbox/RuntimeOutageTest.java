package dev.claw4j.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.store.MessageStatus;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.core.turn.AgentTurns;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolSettings;
import dev.claw4j.protocol.Usage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sandbox runtime goes away (a Docker daemon restart): a turn that cannot start its sandbox, or whose sandbox
 * the restart stopped, keeps its messages and tries again, with nothing said to the person; once the runtime
 * answers again the message is answered once. Before, the person got "I could not start my sandbox" (or "stopped
 * unexpectedly") and the message was FAILED.
 */
@OnBothDatabases
class RuntimeOutageTest {
    @TempDir
    Path data;

    private final Store store;
    private final AtomicBoolean down = new AtomicBoolean();
    private final AtomicInteger againCalls = new AtomicInteger();
    private SandboxManager sandboxes;
    private Outbox outbox;

    RuntimeOutageTest(TestDatabase database) {
        this.store = database.open();
    }

    @AfterEach
    void close() {
        if (sandboxes != null) {
            sandboxes.close();
        }
        if (outbox != null) {
            outbox.close();
        }
        store.close();
    }

    /** The fake runtime behind a switch: while down, starts fail as Docker's do with its socket gone. */
    private final class Switchable implements SandboxRuntime {
        final FakeRuntime inner;

        Switchable(FakeRuntime.Script script) {
            inner = new FakeRuntime(script);
        }

        @Override
        public Isolation isolation() {
            return inner.isolation();
        }

        @Override
        public Sandbox start(SandboxSpec spec) {
            if (down.get()) {
                throw new SandboxException("could not reach Docker at unix:///nowhere.sock to create the sandbox of "
                        + "group " + spec.groupId() + ": java.net.SocketException: No such file or directory");
            }
            return inner.start(spec);
        }

        @Override
        public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
            return inner.exec(spec, command, timeout, maxOutputBytes);
        }

        @Override
        public boolean reachable() {
            return !down.get();
        }

        @Override
        public int removeOrphans() {
            return 0;
        }

        @Override
        public void close() {}
    }

    private AgentTurns turns(FakeRuntime.Script script) {
        sandboxes = new SandboxManager(new Switchable(script), FakeRuntime::spec, group -> () -> 0L,
                Watchdog.Limits.of(100L << 20), (g, k, d) -> { }, Metrics.none());
        outbox = new Outbox(store, Map.of(), Clock.systemUTC());
        return new AgentTurns(store, sandboxes,
                (group, request) -> new ProtocolError(request.id(), ProtocolError.MODEL_FAILED, "no model here"),
                outbox, new GroupFolders(data, (g, r) -> { }), new IncomingFiles(data),
                (platform, chat, thread, busy, failed) -> { }, AccessPolicy.open(),
                new AgentTurns.Settings(Duration.ofSeconds(20), "claw", ToolSettings.DEFAULTS),
                new dev.claw4j.core.budget.Budgets(store.dataSource(), dev.claw4j.core.budget.BudgetSettings.NONE,
                        Clock.systemUTC()), Metrics.none());
    }

    private long message() {
        long id = store.messages().insertInbound(new InboundMessage("web", "c1", null, "ann", "Ann", "hello", "p1",
                ChatKind.DIRECT, false, Instant.now()), MessageStatus.PENDING).orElseThrow();
        store.messages().assignGroup(id, "g1");
        return id;
    }

    private final GroupQueue.Turn turn = new GroupQueue.Turn() {
        @Override
        public void acceptFollowUps(LongPredicate acceptor) {}

        @Override
        public void stopFollowUps() {}

        @Override
        public void again() {
            againCalls.incrementAndGet();
        }
    };

    private List<ChatLine> chat() {
        return store.messages().history("web", "c1");
    }

    @Test
    void aStartWhileTheRuntimeIsDownKeepsTheMessageAndItIsAnsweredOnceItIsBack() {
        AgentTurns turns = turns(agent -> {
            agent.writeLine(JsonLines.encode(new AgentMessage.TurnDone("t", "hello back", new Usage(0, 0))));
            Thread.sleep(Long.MAX_VALUE);
        });
        long id = message();
        down.set(true);

        turns.runTurn("g1", turn);

        assertThat(chat()).as("nothing said to the person").allMatch(l -> l.direction().equals("in"));
        assertThat(store.messages().pendingInbound(id)).as("the message waits").isPresent();
        assertThat(againCalls).as("the group asks for another turn").hasValue(1);

        down.set(false);
        turns.runTurn("g1", turn);

        assertThat(chat()).filteredOn(l -> l.direction().equals("out")).singleElement()
                .satisfies(l -> assertThat(l.text()).isEqualTo("hello back"));
        assertThat(store.messages().pendingInbound(id)).isEmpty();
    }

    /**
     * The daemon going down stops the first two sandboxes as {@code outage} says: twice, more than the one crash
     * retry. Each time nothing is said to the person and the message waits; the third sandbox answers it, once.
     */
    private void twoOutagesThenAnswered(FakeRuntime.Script outage) throws Exception {
        AtomicInteger starts = new AtomicInteger();
        AgentTurns turns = turns(agent -> {
            if (starts.incrementAndGet() <= 2) {
                outage.run(agent);
                return;
            }
            agent.writeLine(JsonLines.encode(new AgentMessage.TurnDone("t", "made it", new Usage(0, 0))));
            Thread.sleep(Long.MAX_VALUE);
        });
        long id = message();
        for (int i = 0; i < 2; i++) {
            turns.runTurn("g1", turn);
            assertThat(chat()).as("nothing said to the person after outage %d", i + 1)
                    .allMatch(l -> l.direction().equals("in"));
            assertThat(store.messages().pendingInbound(id)).isPresent();
            down.set(false);
        }
        turns.runTurn("g1", turn);

        assertThat(chat()).filteredOn(l -> l.direction().equals("out")).singleElement()
                .satisfies(l -> assertThat(l.text()).isEqualTo("made it"));
    }

    @Test
    void aSandboxTheRuntimeStoppedMidTurnIsNotACrashOfTheTurn() throws Exception {
        // the daemon stops every container as it goes down
        twoOutagesThenAnswered(agent -> {
            down.set(true);
            agent.stop(Duration.ZERO);
        });
        assertThat(store.audit().auditByKind("sandbox.crashed")).as("both stops were seen and audited").hasSize(2);
    }

    @Test
    void aSandboxStoppedBySigtermWhileTheDaemonStillAnswersIsNotACrashWhenTheDaemonGoesAwaySoonAfter()
            throws Exception {
        // a stopping daemon: SIGTERM to the container first, its API gone a second later
        twoOutagesThenAnswered(agent -> {
            Thread.ofVirtual().start(() -> {
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
                down.set(true);
            });
            agent.exit().complete(new SandboxExit(143, false));
            agent.stop(Duration.ZERO);
        });
    }
}
