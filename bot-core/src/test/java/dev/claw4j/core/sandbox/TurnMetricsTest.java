package dev.claw4j.core.sandbox;

import dev.claw4j.core.store.MessageStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.turn.AgentTurns;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolSettings;
import dev.claw4j.protocol.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a turn counts: itself (timed, by outcome) and the host calls it refused. In this package for the fake
 * runtime, whose agent here writes a host call naming another turn, then its reply.
 */
class TurnMetricsTest {
    @TempDir
    Path data;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Store store = Store.inMemory(UUID.randomUUID().toString());
    private SandboxManager sandboxes;
    private Outbox outbox;

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

    @Test
    void aTurnIsTimedAndAHostCallForAnotherTurnIsCountedAsRefused() {
        Metrics metrics = new Metrics(registry);
        sandboxes = new SandboxManager(new FakeRuntime(agent -> {
            agent.writeLine(JsonLines.encode(new AgentMessage.HostCall("c1", "not-this-turn", "send_message",
                    Map.of("text", "hi from elsewhere"))));
            agent.writeLine(JsonLines.encode(new AgentMessage.TurnDone("t", "done", new Usage(0, 0))));
            Thread.sleep(Long.MAX_VALUE);
        }), FakeRuntime::spec, group -> () -> 0L, Watchdog.Limits.of(100L << 20), (g, k, d) -> { }, metrics);
        outbox = new Outbox(store, Map.of(), Clock.systemUTC());
        AgentTurns turns = new AgentTurns(store, sandboxes,
                (group, request) -> new ProtocolError(request.id(), ProtocolError.MODEL_FAILED, "no model here"),
                outbox, new GroupFolders(data, (g, r) -> { }), new IncomingFiles(data),
                (platform, chat, thread, busy, failed) -> { }, AccessPolicy.open(),
                new AgentTurns.Settings(Duration.ofSeconds(20), "claw", ToolSettings.DEFAULTS),
                new dev.claw4j.core.budget.Budgets(store.dataSource(), dev.claw4j.core.budget.BudgetSettings.NONE,
                        Clock.systemUTC()), metrics);
        long id = store.messages().insertInbound(new InboundMessage("web", "c1", null, "ann", "Ann", "hello", "p1",
                ChatKind.DIRECT, false, Instant.now()), MessageStatus.PENDING).orElseThrow();
        store.messages().assignGroup(id, "g1");

        turns.runTurn("g1", new GroupQueue.Turn() {
            @Override
            public void acceptFollowUps(LongPredicate acceptor) {}

            @Override
            public void stopFollowUps() {}

            @Override
            public void again() {}
        });

        assertThat(store.audit().auditByKind("host.call.refused")).as("the forged call really came and was refused")
                .singleElement().satisfies(e -> assertThat(e.detail()).contains("not-this-turn"));
        assertThat(registry.get("claw4j.refusals").tag("kind", "host.call.refused").counter().count()).isEqualTo(1);
        assertThat(registry.get("claw4j.turn.duration").tag("outcome", "ok").timer().count()).isEqualTo(1);
    }
}
