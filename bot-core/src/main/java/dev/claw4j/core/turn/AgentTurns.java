package dev.claw4j.core.turn;

import dev.claw4j.core.store.MessageStatus;
import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.llm.GroupModels;
import dev.claw4j.core.llm.LlmGateway;
import dev.claw4j.core.llm.ModelImage;
import dev.claw4j.core.llm.Pictures;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.folder.FolderRefusal;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxException;
import dev.claw4j.core.sandbox.SandboxExit;
import dev.claw4j.core.sandbox.SandboxManager;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoredAttachment;
import dev.claw4j.core.store.StoredInbound;
import dev.claw4j.core.turn.calls.CallContext;
import dev.claw4j.core.turn.calls.HostCall;
import dev.claw4j.core.turn.calls.HostCalls;
import dev.claw4j.core.turn.calls.TaskCalls;
import dev.claw4j.core.task.Check;
import dev.claw4j.core.task.Task;
import dev.claw4j.core.task.TaskRun;
import dev.claw4j.core.task.Tasks;
import dev.claw4j.core.turn.calls.SendFileCall;
import dev.claw4j.core.turn.calls.SendMessageCall;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One turn of a group's agent: the waiting messages go into its sandbox as {@code turn.start}, the agent's
 * model calls and host calls are answered, follow-ups are passed in, and the reply goes to the outbox.
 * Whatever goes wrong (timeout, crash, no sandbox) the people in the chat get a plain answer saying so.
 */
public final class AgentTurns implements GroupQueue.TurnRunner {
    private static final Logger log = LoggerFactory.getLogger(AgentTurns.class);
    private static final int MAX_CRASH_RETRIES = 1;
    /** How long a turn waits before trying again while the sandbox runtime does not answer. */
    private static final Duration RUNTIME_RETRY = Duration.ofSeconds(2);
    /** How long a sandbox stopped by SIGTERM waits for the runtime to go away before it counts as a crash. */
    private static final Duration SIGTERM_WATCH = Duration.ofSeconds(5);

    /** Settings of every turn; {@code mcp} says which MCP servers each group's agent starts. */
    public record Settings(Duration turnTimeout, String botName, ToolSettings tools, McpSettings mcp) {
        public Settings {
            mcp = mcp == null ? McpSettings.NONE : mcp;
        }

        public Settings(Duration turnTimeout, String botName, ToolSettings tools) {
            this(turnTimeout, botName, tools, McpSettings.NONE);
        }
    }

    private final Store store;
    private final SandboxManager sandboxes;
    private final LlmGateway gateway;
    private final Outbox outbox;
    private final GroupFolders folders;
    private final IncomingFiles incoming;
    private final Presence presence;
    private final Settings settings;
    private final ChatCommands commands;
    private final BudgetGate budget;
    private final Map<String, Integer> crashesInARow = new ConcurrentHashMap<>();
    /** The status message of each group's running turn. */
    private final Map<String, Progress> progressOf = new ConcurrentHashMap<>();
    private final HostCalls hostCalls;
    private final Metrics metrics;
    private final Tasks tasks;
    private final Pictures pictures = new Pictures();

    public AgentTurns(Store store, SandboxManager sandboxes, LlmGateway gateway, Outbox outbox, GroupFolders folders,
                      IncomingFiles incoming,
                      Presence presence, AccessPolicy access, Settings settings, Budgets budgets) {
        this(store, sandboxes, gateway, outbox, folders, incoming, presence, access, settings, budgets,
                Metrics.none());
    }

    /** The same, timing every turn and counting refused host calls into {@code metrics}. */
    public AgentTurns(Store store, SandboxManager sandboxes, LlmGateway gateway, Outbox outbox, GroupFolders folders,
                      IncomingFiles incoming, Presence presence, AccessPolicy access, Settings settings,
                      Budgets budgets, Metrics metrics) {
        this(store, sandboxes, gateway, outbox, folders, incoming, presence, access, settings, budgets, metrics, null,
                null);
    }

    /** The same, with each group's model for {@code /model}; null means the host has only its default model. */
    public AgentTurns(Store store, SandboxManager sandboxes, LlmGateway gateway, Outbox outbox, GroupFolders folders,
                      IncomingFiles incoming, Presence presence, AccessPolicy access, Settings settings,
                      Budgets budgets, Metrics metrics, GroupModels models) {
        this(store, sandboxes, gateway, outbox, folders, incoming, presence, access, settings, budgets, metrics, models,
                null);
    }

    /** The same, with the scheduled tasks. */
    public AgentTurns(Store store, SandboxManager sandboxes, LlmGateway gateway, Outbox outbox, GroupFolders folders,
                      IncomingFiles incoming, Presence presence, AccessPolicy access, Settings settings,
                      Budgets budgets, Metrics metrics, Tasks tasks) {
        this(store, sandboxes, gateway, outbox, folders, incoming, presence, access, settings, budgets, metrics, null,
                tasks);
    }

    /**
     * @param models each group's model, for {@code /model}; null: the host has only its default model
     * @param tasks the scheduled tasks (their host calls and runs); null: none
     */
    public AgentTurns(Store store, SandboxManager sandboxes, LlmGateway gateway, Outbox outbox, GroupFolders folders,
                      IncomingFiles incoming, Presence presence, AccessPolicy access, Settings settings,
                      Budgets budgets, Metrics metrics, GroupModels models, Tasks tasks) {
        this.metrics = metrics;
        this.tasks = tasks;
        this.commands = new ChatCommands(store, folders, sandboxes, access, settings.botName(), budgets, models, tasks);
        this.budget = new BudgetGate(budgets, store, outbox, this::audit);
        this.store = store;
        this.sandboxes = sandboxes;
        this.gateway = gateway;
        this.outbox = outbox;
        this.folders = folders;
        this.incoming = incoming;
        this.presence = presence;
        this.settings = settings;
        List<HostCall> calls = new ArrayList<>(List.of(new SendMessageCall(outbox),
                new SendFileCall(outbox, sandboxes, folders)));
        if (tasks != null) {
            calls.addAll(TaskCalls.all(tasks));
        }
        this.hostCalls = new HostCalls(calls);
    }

    @Override
    public void runTurn(String groupId, GroupQueue.Turn turn) {
        List<StoredInbound> pending = store.messages().pendingFor(groupId);
        Map<Long, TaskRun> runs = tasks == null ? Map.of() : tasks.store().runsForMessages(ids(pending));
        List<StoredInbound> forAgent = new ArrayList<>();
        for (StoredInbound m : pending) {
            TaskRun run = runs.get(m.id());
            if (run != null) {
                // a scheduled run is a turn of its own, never mixed with people's messages
                if (forAgent.isEmpty()) {
                    if (pending.size() > 1) {
                        turn.again();
                    }
                    runTask(groupId, turn, m, run);
                    return;
                }
                turn.again();
                break;
            }
            // a turn answers one chat: its reply goes only to the chat its messages came from (a per-user
            // agent's DM is never answered in a channel); the other chats' messages get the next turns
            if (!forAgent.isEmpty() && !FollowUps.sameChat(forAgent.getFirst(), m)) {
                turn.again();
                break;
            }
            if (!runCommand(groupId, m)) {
                forAgent.add(m);
            }
        }
        if (forAgent.isEmpty()) {
            return;
        }
        if (!budget.mayStart(groupId, forAgent.getLast(), ids(forAgent))) {
            return;
        }
        List<Long> taken = store.sessions().startTurn(groupId, ids(forAgent), sandboxes.isolation().describe(), turn.fence());
        forAgent.removeIf(m -> !taken.contains(m.id())); // claimed by another turn meanwhile
        if (forAgent.isEmpty()) {
            return;
        }
        StoredInbound last = forAgent.getLast();
        presence.working(last.platform(), last.chatId(), last.threadId(), true, false);
        Timing timing = new Timing();
        boolean failed = true;
        Progress progress = Progress.start(presence.progress(last.platform()), last.chatId(), last.threadId());
        progressOf.put(groupId, progress);
        try {
            failed = !converse(groupId, turn, forAgent, timing);
        } finally {
            progressOf.remove(groupId);
            progress.close();
            presence.working(last.platform(), last.chatId(), last.threadId(), false, failed);
            audit(groupId, "turn.finished", timing.describe());
            metrics.turn(Duration.ofNanos(System.nanoTime() - timing.start), !failed);
        }
        budget.afterTurn(groupId, last);
    }

    /** Chat commands the host answers itself. True when the message was one. */
    private boolean runCommand(String groupId, StoredInbound m) {
        String answer = commands.answer(groupId, m);
        if (answer == null) {
            return false;
        }
        store.messages().setStatus(List.of(m.id()), MessageStatus.RUNNING);
        outbox.send(groupId, m.platform(), m.chatId(), m.threadId(), answer, m.id(), List.of(m.id()), false);
        return true;
    }

    /** Where a turn's time went: waiting for the agent in its sandbox, waiting for the model, the rest is ours. */
    private static final class Timing {
        final long start = System.nanoTime();
        long agentNanos;
        long modelNanos;

        String describe() {
            long total = System.nanoTime() - start;
            return String.format("total=%.1fms agent=%.1fms model=%.1fms host=%.1fms", total / 1e6, agentNanos / 1e6,
                    modelNanos / 1e6, (total - agentNanos - modelNanos) / 1e6);
        }
    }

    /** Runs the turn; true when it ended well (or was re-queued after a crash), false when it failed. */
    private boolean converse(String groupId, GroupQueue.Turn turn, List<StoredInbound> messages, Timing timing) {
        return converse(groupId, turn, messages, timing, false, false);
    }

    /**
     * @param taskRun a scheduled run: people's messages arriving meanwhile wait for their own turn
     * @param fresh the agent answers in a new conversation, leaving the chat's as it was
     */
    private boolean converse(String groupId, GroupQueue.Turn turn, List<StoredInbound> messages, Timing timing,
                             boolean taskRun, boolean fresh) {
        StoredInbound last = messages.getLast();
        SandboxManager.Live live;
        long acquireStart = System.nanoTime();
        try {
            live = acquire(groupId);
            timing.agentNanos += System.nanoTime() - acquireStart; // a cold start is the sandbox's time, not ours
        } catch (SandboxException e) {
            if (sandboxes.closed()) {
                return leftForNextStart(groupId, turn, messages, null);
            }
            if (!sandboxes.runtimeReachable(groupId, e.getMessage())) {
                return waitForRuntime(groupId, turn, messages, null);
            }
            log.error("[{}] {}", groupId, e.getMessage());
            audit(groupId, "sandbox.failed", e.getMessage());
            reply(groupId, turn, last, ids(messages), true, "I could not start my sandbox, so I cannot work on this right "
                    + "now. The admin should run `./claw4j doctor` on the host.");
            return false;
        }
        String turnId = UUID.randomUUID().toString();
        AgentChannel channel = live.channel();
        FollowUps followUps = new FollowUps(store, channel, turnId, groupId, last, ids(messages));
        // the pictures of this turn's messages, from the host's own copies; shown with every model call of the turn
        List<ModelImage> images = new ArrayList<>();
        boolean seeing = gateway.acceptsImages(groupId);
        channel.send(new HostMessage.TurnStart(turnId, groupId,
                Instructions.build(settings.botName(), last.platform(), memory(groupId, live.sandbox()),
                        folders.sharedMemory()),
                messages.stream().map(m -> chatMessage(m, placeFiles(groupId, live.sandbox(), m, seeing, images)))
                        .toList(),
                settings.tools().withMcpServers(settings.mcp().forGroup(groupId)),
                fresh ? Boolean.TRUE : null,
                // the session's first turn (new group, or after /reset): the agent forgets its stored conversation
                // too, which is how a reset reaches a folder the host does not see (a Kubernetes volume)
                !fresh && store.sessions().turns(groupId) <= 1 ? Boolean.TRUE : null));
        if (!taskRun) {
            turn.acceptFollowUps(followUps::offer);
        }

        long deadline = System.nanoTime() + settings.turnTimeout().toNanos();
        AgentMessage.TurnDone done = null;
        String failure = null;
        try {
            while (done == null && failure == null) {
                long left = deadline - System.nanoTime();
                long waitStart = System.nanoTime();
                AgentMessage m = left <= 0 ? null : channel.receive(Duration.ofNanos(left));
                timing.agentNanos += System.nanoTime() - waitStart;
                if (m == null) {
                    failure = "That took longer than " + human(settings.turnTimeout()) + ", so I stopped. "
                            + "Try a smaller step, or ask me to continue.";
                    audit(groupId, "turn.timeout", human(settings.turnTimeout()));
                    sandboxes.discard(groupId);
                } else if (m == AgentChannel.CLOSED && live.killedFor() != null) {
                    // the sandbox's watchdog stopped it (and audited why)
                    String wrong = live.killedFor();
                    failure = "I stopped my sandbox because it " + wrong + ". Nothing else was affected; "
                            + (wrong.contains("quota") ? "ask me to delete files to make room." : "please try again.");
                } else if (m == AgentChannel.CLOSED && sandboxes.closed()) {
                    return leftForNextStart(groupId, turn, messages, followUps); // the stop closed it, no crash
                } else if (m == AgentChannel.CLOSED) {
                    failure = crashed(groupId, live, turn, messages, followUps);
                    if (failure == null) {
                        return true; // re-queued for one more try in a fresh sandbox
                    }
                } else {
                    switch (m) {
                        case AgentMessage.LlmRequest r -> {
                            long modelStart = System.nanoTime();
                            HostMessage answer = budget.refusal(groupId, r);
                            if (answer == null) {
                                answer = images.isEmpty() ? gateway.answer(groupId, r)
                                        : gateway.answer(groupId, r, images);
                            }
                            timing.modelNanos += System.nanoTime() - modelStart;
                            channel.send(answer);
                        }
                        case AgentMessage.HostCall c -> channel.send(turnId.equals(c.turnId())
                                ? hostCall(groupId, turnId, last, c, turn) : forgedTurn(groupId, c));
                        case AgentMessage.Event e -> {
                            audit(groupId, e.kind(), e.tool() + " " + e.detail()
                                    + (e.ok() == null ? "" : e.ok() ? " ok" : " failed")
                                    + (e.durationMs() == null ? "" : " " + e.durationMs() + "ms"));
                            progressOf.getOrDefault(groupId, Progress.NONE).step(e);
                        }
                        case AgentMessage.TurnDone d -> done = d;
                        case ProtocolError e -> audit(groupId, "agent.error", e.code() + ": " + e.message());
                        case AgentMessage.Ready r -> log.debug("[{}] late ready line", groupId);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "The host is shutting down; I will answer when it is back.";
        } finally {
            turn.stopFollowUps();
        }
        crashesInARow.remove(groupId);
        List<Long> answered = new ArrayList<>(ids(messages));
        List<Long> taken = followUps.close(done == null ? Integer.MAX_VALUE : done.followUpsTaken());
        answered.addAll(taken);
        if (followUps.returnedAny()) {
            turn.again();
        }
        if (failure != null) {
            reply(groupId, turn, last, answered, true, failure);
            return false;
        }
        if (done.reply() == null || done.reply().isBlank()) {
            store.messages().setStatus(answered, MessageStatus.DONE); // the agent chose to stay silent; nothing to deliver
        } else {
            reply(groupId, turn, last, answered, false, done.reply());
        }
        return true;
    }

    /**
     * The host is stopping: the turn's messages wait again, unanswered, and the next start picks them up (no
     * "try again" reply, no crash counted). Returns true: nothing failed.
     */
    private boolean leftForNextStart(String groupId, GroupQueue.Turn turn, List<StoredInbound> messages,
                                     FollowUps followUps) {
        turn.stopFollowUps();
        List<Long> again = new ArrayList<>(ids(messages));
        if (followUps != null) {
            again.addAll(followUps.close(0));
        }
        try {
            store.messages().setStatus(again, MessageStatus.PENDING);
        } catch (RuntimeException e) {
            // the store closed first: they are RUNNING without a reply, which the next start re-queues as well
            log.debug("[{}] leaving the turn for the next start: {}", groupId, e.getMessage());
        }
        log.info("[{}] the host is stopping; {} message(s) wait for the next start", groupId, again.size());
        return true;
    }

    /**
     * The group's sandbox, started if need be, with one more try when a start fails while the runtime answers: a
     * start while the Docker daemon is stopping, or right after it is back, may meet a container or a connection
     * the restart took away.
     */
    private SandboxManager.Live acquire(String groupId) {
        try {
            return sandboxes.acquire(groupId);
        } catch (SandboxException e) {
            if (sandboxes.closed() || !sandboxes.runtimeReachable(groupId, e.getMessage())) {
                throw e;
            }
            // after a pause: a daemon that is stopping still answers for a moment while its starts fail
            log.warn("[{}] the sandbox did not start ({}); trying once more in {} s", groupId, e.getMessage(),
                    RUNTIME_RETRY.toSeconds());
            try {
                Thread.sleep(RUNTIME_RETRY);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                throw e;
            }
            return sandboxes.acquire(groupId);
        }
    }

    /**
     * The sandbox runtime does not answer (the Docker daemon stopped or is restarting): not the group's fault and
     * nothing to tell the person. The turn's messages wait again, and the group tries again in a moment; the queue
     * keeps its order. Returns true: nothing failed.
     */
    private boolean waitForRuntime(String groupId, GroupQueue.Turn turn, List<StoredInbound> messages,
                                   FollowUps followUps) {
        turn.stopFollowUps();
        List<Long> again = new ArrayList<>(ids(messages));
        if (followUps != null) {
            again.addAll(followUps.close(0));
        }
        store.messages().setStatus(again, MessageStatus.PENDING);
        log.info("[{}] {} message(s) wait for the sandbox runtime to answer", groupId, again.size());
        try {
            Thread.sleep(RUNTIME_RETRY);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true; // the host is stopping: the messages are PENDING for the next start
        }
        turn.again();
        return true;
    }

    /**
     * Whether the runtime itself took the sandbox down: it does not answer, or the sandbox was stopped with SIGTERM
     * (exit 143, which neither the agent nor the host sends; a stopping Docker daemon sends it to every container
     * and still answers pings for a moment) and the runtime stops answering within a few seconds.
     */
    private boolean runtimeGoingAway(String groupId, SandboxExit exit) {
        String why = "a sandbox ended: " + exit.describe();
        if (!sandboxes.runtimeReachable(groupId, why)) {
            return true;
        }
        if (exit.exitCode() != 128 + 15) {
            return false;
        }
        long deadline = System.nanoTime() + SIGTERM_WATCH.toNanos();
        try {
            while (System.nanoTime() < deadline) {
                Thread.sleep(250);
                if (!sandboxes.runtimeReachable(groupId, why)) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /** The sandbox died mid-turn. Returns the text for the chat, or null when the turn was re-queued. */
    private String crashed(String groupId, SandboxManager.Live live, GroupQueue.Turn turn,
                           List<StoredInbound> messages, FollowUps followUps) {
        SandboxExit exit;
        try {
            exit = live.sandbox().exit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            exit = new SandboxExit(-1, false);
        }
        sandboxes.discard(groupId);
        audit(groupId, "sandbox.crashed", exit.describe());
        if (!exit.outOfMemory() && runtimeGoingAway(groupId, exit)) {
            // the runtime took it down (a Docker restart stops every container): not a crash of the turn's
            waitForRuntime(groupId, turn, messages, followUps);
            return null;
        }
        int crashes = crashesInARow.merge(groupId, 1, Integer::sum);
        if (crashes <= MAX_CRASH_RETRIES) {
            turn.stopFollowUps();
            List<Long> again = new ArrayList<>(ids(messages));
            again.addAll(followUps.close(0));
            store.messages().setStatus(again, MessageStatus.PENDING);
            turn.again();
            log.warn("[{}] sandbox ended mid-turn ({}); trying once more in a fresh one", groupId, exit.describe());
            return null;
        }
        crashesInARow.remove(groupId);
        return exit.outOfMemory()
                ? "My sandbox ran out of memory and was stopped. Try something smaller, or ask the admin to raise "
                        + "sandbox.memory."
                : "My sandbox stopped unexpectedly (" + exit.describe() + "). Please try again.";
    }

    private HostMessage hostCall(String groupId, String turnId, StoredInbound last, AgentMessage.HostCall call,
                                 GroupQueue.Turn turn) {
        // the group can only ever reach the chat its turn came from: the context is the host's, not the call's
        return hostCalls.answer(new CallContext(groupId, turnId, last.platform(), last.chatId(), last.threadId(),
                this::callAudit, turn.fence()), call);
    }

    /**
     * One run of a scheduled task, claimed by the scheduler: its check first (when it has one), then, if the check
     * says wake (or there is none), a turn like any other whose reply goes to the task's chat. The run row records
     * how it ended and the tokens it used; failures back off and, after too many, pause the task with a note.
     */
    private void runTask(String groupId, GroupQueue.Turn turn, StoredInbound m, TaskRun run) {
        Task task = tasks.store().get(run.taskId()).orElse(null);
        java.time.Instant started = java.time.Instant.now(); // model usage is recorded on the system clock
        if (task == null || task.status() == Task.Status.CANCELLED) {
            store.messages().setStatus(List.of(m.id()), MessageStatus.DONE);
            finishRun(turn, task, run, TaskRun.CANCELLED, 0, "the task was cancelled before this run started");
            return;
        }
        // a task run counts against the group's budget like any turn: past it, no check and no model call
        if (!budget.mayStart(groupId, m, List.of(m.id()))) {
            finishRun(turn, task, run, TaskRun.OVER_BUDGET, 0, "the group's budget is used up");
            return;
        }
        if (store.sessions().startTurn(groupId, List.of(m.id()), sandboxes.isolation().describe(), turn.fence()).isEmpty()) {
            return; // taken by another turn meanwhile
        }
        tasks.store().started(run.id(), tasks.now(), turn.fence());
        String text = m.text();
        if (task.check() != null) {
            Check check = runCheck(groupId, task);
            switch (check) {
                case Check.Sleep s -> {
                    store.messages().setStatus(List.of(m.id()), MessageStatus.DONE);
                    audit(groupId, "task.no_wake", "task #" + task.id() + ": the check said there is nothing to do");
                    finishRun(turn, task, run, TaskRun.NO_WAKE, 0, "the check said no wake");
                    return;
                }
                case Check.Failed f -> {
                    store.messages().setStatus(List.of(m.id()), MessageStatus.FAILED);
                    audit(groupId, "task.check_failed", "task #" + task.id() + ": " + f.why());
                    finishRun(turn, task, run, TaskRun.FAILED, 0, f.why());
                    return;
                }
                case Check.Wake w -> text = text + "\n\nThe task's check found (JSON):\n" + w.data();
            }
        }
        StoredInbound asked = new StoredInbound(m.id(), m.groupId(), m.platform(), m.chatId(), m.threadId(),
                m.senderId(), m.senderName(), text, m.platformMessageId(), m.receivedAt());
        presence.working(m.platform(), m.chatId(), m.threadId(), true, false);
        Timing timing = new Timing();
        boolean ok = false;
        try {
            ok = converse(groupId, turn, List.of(asked), timing, true, task.context() == Task.Context.FRESH);
        } finally {
            presence.working(m.platform(), m.chatId(), m.threadId(), false, !ok);
            audit(groupId, "turn.finished", "task #" + task.id() + " " + timing.describe());
        }
        if (store.messages().pendingInbound(m.id()).isPresent()) {
            return; // the sandbox crashed and the run waits for one more try: not finished yet
        }
        long tokens = store.usage().tokensSince(groupId, started);
        finishRun(turn, task, run, ok ? TaskRun.OK : TaskRun.FAILED, tokens, ok ? null : "the turn failed");
        budget.afterTurn(groupId, m);
    }

    /** Runs the task's check in a one-off sandbox of the group, with its time and output caps. */
    private Check runCheck(String groupId, Task task) {
        try {
            return Check.decide(sandboxes.exec(groupId, Check.command(task.check()), Check.TIMEOUT,
                    Check.MAX_OUTPUT_BYTES));
        } catch (SandboxException e) {
            return new Check.Failed("the check could not run: " + e.getMessage());
        }
    }

    /** Records how the run ended, under the turn's fence: refused when another host took the group over meanwhile. */
    private void finishRun(GroupQueue.Turn turn, Task task, TaskRun run, String outcome, long tokens, String detail) {
        java.time.Instant now = tasks.now();
        int failuresBefore = task == null ? 0 : task.failures();
        java.time.Instant retryAt = now.plus(tasks.backoff(failuresBefore + 1));
        int pauseAfter = tasks.settings().pauseAfterFailures();
        Task after = tasks.store().finish(run, outcome, tokens, detail, now, retryAt, pauseAfter,
                turn.fence()).orElse(null);
        audit(run.groupId(), "task.run", "task #" + run.taskId() + " run " + run.id() + " " + outcome + ", " + tokens
                + " tokens" + (detail == null ? "" : ": " + detail));
        if (after != null && outcome.equals(TaskRun.FAILED) && after.status() == Task.Status.PAUSED
                && after.failures() >= pauseAfter) {
            audit(run.groupId(), "task.auto_paused", "task #" + after.id() + " after " + after.failures() + " failures");
            outbox.send(run.groupId(), after.platform(), after.chatId(), after.threadId(), "I paused scheduled task #"
                    + after.id() + " (" + after.schedule().describe() + ") after " + after.failures() + " failed runs in "
                    + "a row; the last one: " + (detail == null ? "it failed" : detail) + ". Fix what it needs, then "
                    + "resume it with /tasks resume " + after.id() + ".", null, List.of(), true);
        }
        tasks.changed();
    }

    /** Stores the turn's reply under the turn's fence: refused when another host took the group over meanwhile. */
    private void reply(String groupId, GroupQueue.Turn turn, StoredInbound last, List<Long> answered, boolean failed,
                       String text) {
        outbox.send(groupId, last.platform(), last.chatId(), last.threadId(), text, last.id(), answered, failed, null,
                turn.fence());
    }

    private void audit(String groupId, String kind, String detail) {
        store.audit().record(groupId, kind, detail, sandboxes.isolation().describe());
    }

    /**
     * Offers the agent one more host call, such as {@code web_fetch}, which the launcher builds from its own config.
     * Call it while wiring, before the first turn.
     */
    public AgentTurns withHostCall(dev.claw4j.core.turn.calls.HostCall call) {
        hostCalls.add(call);
        return this;
    }

    /** Audits a refusal and counts it; {@code kind} is always a literal here, never an agent's event kind. */
    private void refused(String groupId, String kind, String detail) {
        audit(groupId, kind, detail);
        metrics.refused(kind);
    }

    /** What the host call handlers audit; their kinds are their own literals, so their refusals are counted. */
    private void callAudit(String groupId, String kind, String detail) {
        if (kind.endsWith(".refused")) {
            refused(groupId, kind, detail);
        } else {
            audit(groupId, kind, detail);
        }
    }

    /** A host call must name the running turn: a line naming another one was not written by this turn's agent. */
    private HostMessage forgedTurn(String groupId, AgentMessage.HostCall call) {
        refused(groupId, "host.call.refused", call.method() + ": turn id '" + call.turnId()
                + "' is not the running turn's");
        return HostMessage.HostResult.failed(call.id(), "this host call names turn '" + call.turnId()
                + "', which is not the running turn; host calls are only taken for the turn in progress");
    }

    /**
     * The group's memory ({@code AGENT.md}) as the agent left it: from the host's folder, or through the sandbox when
     * its folder is not the host's (a pod's volume). None when it is missing or refused there.
     */
    private String memory(String groupId, Sandbox sandbox) {
        if (sandbox.seesHostFolder()) {
            return folders.memory(groupId);
        }
        try {
            return new String(sandbox.readFile(GroupFolders.MEMORY_FILE, GroupFolders.MEMORY_CAP),
                    java.nio.charset.StandardCharsets.UTF_8);
        } catch (SandboxException e) {
            log.debug("[{}] no memory from the sandbox: {}", groupId, e.getMessage());
            return "";
        }
    }

    /**
     * Places the files that came with a message in the group's {@code inbox/}, through the folder door (or through
     * the sandbox, when its folder is not the host's), and describes each for the agent: where it is, or why it
     * could not be placed (the refusal is audited).
     */
    private List<String> placeFiles(String groupId, Sandbox sandbox, StoredInbound m, boolean seeing,
                                    List<ModelImage> images) {
        List<String> notes = new ArrayList<>();
        for (StoredAttachment a : store.messages().attachments(m.id())) {
            String name = m.id() + "-" + a.seq() + "-" + a.name();
            var content = incoming.content(a);
            if (content.isEmpty()) {
                notes.add("[file: inbox/" + name + ", " + a.sizeBytes() + " bytes, " + a.mimeType() + "]");
                continue; // placed by an earlier try of this turn
            }
            try {
                String placed = sandbox.seesHostFolder() ? folders.putInbox(groupId, name, content.get())
                        : sandbox.putInbox(name, content.get());
                incoming.placed(a);
                notes.add(picture(groupId, placed, a, content.get(), seeing, images));
            } catch (FolderRefusal e) {
                log.warn("[{}] could not place {} in the inbox: {}", groupId, name, e.getMessage());
                notes.add("[file " + a.name() + " (" + a.sizeBytes() + " bytes) could not be placed: " + e.getMessage()
                        + ". Make inbox/ a plain folder again.]");
            } catch (SandboxException e) {
                log.warn("[{}] could not place {} in the inbox through the sandbox: {}", groupId, name, e.getMessage());
                refused(groupId, "folder.refused", "inbox/" + name + " through the sandbox: " + e.getMessage());
                notes.add("[file " + a.name() + " (" + a.sizeBytes() + " bytes) could not be placed: " + e.getMessage()
                        + ".]");
            }
        }
        return notes;
    }

    /**
     * The note for a placed file. A picture (by its magic bytes) is also shown to the model when its model takes
     * images; otherwise the agent reads that it was not.
     */
    private String picture(String groupId, String placed, StoredAttachment a, byte[] content, boolean seeing,
                           List<ModelImage> images) {
        String file = placed + ", " + a.sizeBytes() + " bytes, " + a.mimeType();
        if (Pictures.sniff(content) == null) {
            return "[file: " + file + "]";
        }
        if (!seeing) {
            return "[file: " + file + "; an image was attached: " + placed + "; this model does not take images]";
        }
        if (images.size() >= Pictures.MAX_PER_TURN) {
            return "[file: " + file + "; an image was attached: " + placed + "; it is not shown to the model: a turn "
                    + "shows at most " + Pictures.MAX_PER_TURN + " images]";
        }
        return switch (pictures.prepare(content)) {
            case Pictures.Ready r when shownBytes(images) + r.image().data().length > Pictures.MAX_TURN_BYTES ->
                    "[file: " + file + "; an image was attached: " + placed + "; it is not shown to the model: the "
                            + "turn's images would be above " + Pictures.MAX_TURN_BYTES + " bytes]";
            case Pictures.Ready r -> {
                images.add(r.image());
                yield "[file: " + file + "; an image, shown to you with this message]";
            }
            case Pictures.Refused r -> {
                log.info("[{}] picture {} not shown to the model: the image {}", groupId, placed, r.why());
                yield "[file: " + file + "; an image was attached: " + placed + "; it is not shown to the model: the "
                        + "image " + r.why() + "]";
            }
            case Pictures.NotAnImage n -> "[file: " + file + "]";
        };
    }

    private static long shownBytes(List<ModelImage> images) {
        return images.stream().mapToLong(i -> i.data().length).sum();
    }

    private static ChatMessage chatMessage(StoredInbound m, List<String> fileNotes) {
        String text = fileNotes.isEmpty() ? m.text()
                : (m.text().isEmpty() ? "" : m.text() + "\n") + String.join("\n", fileNotes);
        return new ChatMessage(m.senderName(), text, m.receivedAt().toString());
    }

    private static List<Long> ids(List<StoredInbound> messages) {
        return messages.stream().map(StoredInbound::id).toList();
    }

    private static String human(Duration d) {
        return d.toMinutes() > 0 && d.toSecondsPart() == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
    }
}
