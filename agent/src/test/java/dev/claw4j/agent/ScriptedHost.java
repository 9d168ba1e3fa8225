package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The host side of the protocol, for tests: runs the real {@link Agent} on a thread, connected by pipes,
 * and lets a test read what the agent writes (decoded by the protocol's own decoder, so anything that
 * is not a valid protocol line fails the test) and answer it.
 */
final class ScriptedHost implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private final OutputStream toAgent;
    private final Pipe.SinkChannel toAgentSink;
    private final BlockingQueue<String> fromAgent = new LinkedBlockingQueue<>();
    private final Thread agentThread;

    ScriptedHost(Path workspaceRoot) {
        try {
            Pipe in = Pipe.open();
            Pipe out = Pipe.open();
            toAgentSink = in.sink();
            toAgent = Channels.newOutputStream(in.sink());
            Agent agent = new Agent(Channels.newInputStream(in.source()), Channels.newOutputStream(out.sink()),
                    workspaceRoot, "test", Leftovers.startedByThisRunner()); // never "every process": this is not a sandbox
            agentThread = Thread.ofPlatform().name("agent-under-test").start(() -> {
                agent.run();
                try {
                    out.sink().close();
                } catch (IOException e) {
                    // the reader sees the end either way
                }
            });
            BufferedReader reader = new BufferedReader(
                    new InputStreamReader(Channels.newInputStream(out.source()), StandardCharsets.UTF_8));
            Thread.ofPlatform().daemon().name("host-reader").start(() -> {
                try {
                    for (String line; (line = reader.readLine()) != null; ) {
                        fromAgent.add(line);
                    }
                } catch (IOException e) {
                    // pipe closed
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void send(HostMessage message) {
        sendRaw(JsonLines.encode(message));
    }

    void sendRaw(String line) {
        try {
            toAgent.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            toAgent.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The agent's next line, decoded; fails the test if there is none in time or it is not valid protocol. */
    AgentMessage next() {
        String line;
        try {
            line = fromAgent.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        if (line == null) {
            return fail("the agent wrote nothing within " + WAIT);
        }
        return switch (JsonLines.decodeFromAgent(line)) {
            case Decoded.Ok<AgentMessage> ok -> ok.message();
            case Decoded.Failed<AgentMessage> failed -> fail("the agent wrote a bad line: " + failed.error() + "\n" + line);
        };
    }

    <T extends AgentMessage> T expect(Class<T> type) {
        AgentMessage message = next();
        assertThat(message).isInstanceOf(type);
        return type.cast(message);
    }

    /** Expects an llm.request and answers it with the given model message. */
    AgentMessage.LlmRequest answer(LlmMessage modelSays, Usage usage) {
        AgentMessage.LlmRequest request = expect(AgentMessage.LlmRequest.class);
        send(new HostMessage.LlmResponse(request.id(), modelSays, usage, modelSays.hasToolCalls() ? "tool_use" : "end_turn"));
        return request;
    }

    static LlmMessage toolCall(String id, String tool, String argumentsJson) {
        return LlmMessage.assistant(null, List.of(new ToolCall(id, tool, argumentsJson)));
    }

    static LlmMessage text(String text) {
        return LlmMessage.assistant(text, List.of());
    }

    /** Closes the agent's stdin. */
    void endInput() {
        try {
            toAgentSink.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean awaitExit() throws InterruptedException {
        return agentThread.join(WAIT);
    }

    boolean agentRunning() {
        return agentThread.isAlive();
    }

    @Override
    public void close() throws InterruptedException {
        endInput();
        awaitExit();
    }
}
