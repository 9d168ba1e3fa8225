package dev.claw4j.core.sandbox;

import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ProtocolError;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each group's sandbox warm between turns: starts it on demand (and waits for the agent's
 * {@code ready}), hands it out again while it lives, and stops it when told. Which sandboxes may live is
 * the {@link dev.claw4j.core.queue.GroupQueue}'s decision, not this class's.
 */
public final class SandboxManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxManager.class);
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    /** A started sandbox and the host's end of its stdio. */
    public record Live(Sandbox sandbox, AgentChannel channel) {
        public boolean alive() {
            return !sandbox.exit().isDone();
        }
    }

    private final SandboxRuntime runtime;
    private final Function<String, SandboxSpec> specs;
    private final BiConsumer<String, ProtocolError> onRefusedLine;
    private final Map<String, Live> live = new ConcurrentHashMap<>();

    public SandboxManager(SandboxRuntime runtime, Function<String, SandboxSpec> specs,
                          BiConsumer<String, ProtocolError> onRefusedLine) {
        this.runtime = runtime;
        this.specs = specs;
        this.onRefusedLine = onRefusedLine;
    }

    public Isolation isolation() {
        return runtime.isolation();
    }

    /** The group's running sandbox, started now if it has none (or its last one died). */
    public Live acquire(String groupId) {
        Live current = live.get(groupId);
        if (current != null && current.alive()) {
            return current;
        }
        if (current != null) {
            discard(groupId);
        }
        Sandbox sandbox = runtime.start(specs.apply(groupId));
        AgentChannel channel = new AgentChannel(sandbox, error -> onRefusedLine.accept(groupId, error));
        try {
            AgentMessage first = channel.receive(READY_TIMEOUT);
            if (!(first instanceof AgentMessage.Ready)) {
                sandbox.stop(Duration.ZERO);
                String exit = sandbox.exit().isDone() ? " (" + sandbox.exit().join().describe() + ")" : "";
                throw new SandboxException("the agent in the sandbox of " + groupId + " did not get ready" + exit
                        + "; see the host log for its output, and run ./claw4j doctor");
            }
        } catch (InterruptedException e) {
            sandbox.stop(Duration.ZERO);
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while starting the sandbox of " + groupId);
        }
        Live started = new Live(sandbox, channel);
        live.put(groupId, started);
        log.info("[{}] sandbox {} ready ({})", groupId, sandbox.name(), runtime.isolation().describe());
        return started;
    }

    /** The group's running sandbox, or null. */
    public Live live(String groupId) {
        Live l = live.get(groupId);
        return l != null && l.alive() ? l : null;
    }

    public boolean hasLive(String groupId) {
        Live l = live.get(groupId);
        return l != null && l.alive();
    }

    /** Stops and forgets the group's sandbox, if it has one. Its folder stays. */
    public void discard(String groupId) {
        Live l = live.remove(groupId);
        if (l != null) {
            l.channel().send(new HostMessage.Shutdown("stopping"));
            l.channel().close();
            l.sandbox().stop(Duration.ofSeconds(1));
        }
    }

    public int liveCount() {
        return live.size();
    }

    @Override
    public void close() {
        live.keySet().forEach(this::discard);
    }
}
