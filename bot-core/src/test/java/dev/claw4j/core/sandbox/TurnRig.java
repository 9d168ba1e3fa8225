package dev.claw4j.core.sandbox;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.store.MessageStatus;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoredAttachment;
import dev.claw4j.core.turn.AgentTurns;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.LongPredicate;

/**
 * A host's turns over an in-memory store and a sandbox runtime, with no model (every model call fails) and no
 * connector (replies wait in the outbox): for tests of what a turn does with its sandbox.
 */
final class TurnRig implements AutoCloseable {
    /** A turn that takes no follow-ups and is never run again. */
    static final GroupQueue.Turn PLAIN = new GroupQueue.Turn() {
        @Override
        public void acceptFollowUps(LongPredicate acceptor) {}

        @Override
        public void stopFollowUps() {}

        @Override
        public void again() {}
    };

    final Store store = Store.inMemory(UUID.randomUUID().toString());
    final SandboxManager sandboxes;
    final Outbox outbox;
    final AgentTurns turns;

    TurnRig(SandboxRuntime runtime, Path data, IncomingFiles incoming, Metrics metrics) {
        sandboxes = new SandboxManager(runtime, FakeRuntime::spec, group -> () -> 0L, Watchdog.Limits.of(100L << 20),
                (g, k, d) -> { }, metrics);
        outbox = new Outbox(store, Map.of(), Clock.systemUTC());
        turns = new AgentTurns(store, sandboxes,
                (group, request) -> new ProtocolError(request.id(), ProtocolError.MODEL_FAILED, "no model here"),
                outbox, new GroupFolders(data, (g, r) -> { }), incoming,
                (platform, chat, thread, busy, failed) -> { }, AccessPolicy.open(),
                new AgentTurns.Settings(Duration.ofSeconds(20), "claw", ToolSettings.DEFAULTS),
                new dev.claw4j.core.budget.Budgets(store.dataSource(), dev.claw4j.core.budget.BudgetSettings.NONE,
                        Clock.systemUTC()), metrics);
    }

    /** Ann's message on the web chat, with its files, waiting for group g1's turn; returns its id. */
    long message(String text, List<StoredAttachment> files) {
        long id = store.messages().insertInbound(new InboundMessage("web", "c1", null, "ann", "Ann", text, "p-" + UUID.randomUUID(),
                ChatKind.DIRECT, false, Instant.now()), MessageStatus.PENDING, files).orElseThrow();
        store.messages().assignGroup(id, "g1");
        return id;
    }

    @Override
    public void close() {
        sandboxes.close();
        outbox.close();
        store.close();
    }
}
