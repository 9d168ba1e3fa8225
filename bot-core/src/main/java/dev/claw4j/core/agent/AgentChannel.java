package dev.claw4j.core.agent;

import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.LineReader;
import dev.claw4j.protocol.ProtocolError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The host's end of one agent's stdio. It reads the agent's lines on a virtual thread and hands over
 * only well-formed messages; every bad line is answered with an {@code error} line to the agent, reported
 * to {@code onRefused} (for the audit trail) and counted, so the owner can kill a sandbox that keeps
 * misbehaving. Nothing a sandbox writes can make this throw.
 */
public final class AgentChannel implements AutoCloseable {
    /** What {@link #receive} returns when the agent's output ended. */
    public static final AgentMessage CLOSED = new ProtocolError(null, "closed", "the agent's output ended");

    private final OutputStream toAgent;
    private final BlockingQueue<AgentMessage> inbox = new LinkedBlockingQueue<>();
    private final AtomicInteger refused = new AtomicInteger();
    private final Consumer<ProtocolError> onRefused;

    public AgentChannel(Sandbox sandbox, Consumer<ProtocolError> onRefused) {
        this(sandbox.groupId(), sandbox.stdin(), sandbox.stdout(), onRefused);
    }

    public AgentChannel(String groupId, OutputStream toAgent, InputStream fromAgent, Consumer<ProtocolError> onRefused) {
        this.toAgent = toAgent;
        this.onRefused = onRefused;
        Thread.ofVirtual().name("agent-reader-" + groupId).start(() -> readLoop(fromAgent));
    }

    /** Writes one message to the agent. False when the agent's input is gone. */
    public synchronized boolean send(HostMessage message) {
        try {
            toAgent.write((JsonLines.encode(message) + "\n").getBytes(StandardCharsets.UTF_8));
            toAgent.flush();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The next good message, {@link #CLOSED} once the output ended, or null on timeout. */
    public AgentMessage receive(Duration timeout) throws InterruptedException {
        AgentMessage m = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (m == CLOSED) {
            inbox.add(CLOSED); // stays closed for every later call
        }
        return m;
    }

    /** How many lines of this agent were refused so far. */
    public int refusedLines() {
        return refused.get();
    }

    private void readLoop(InputStream fromAgent) {
        LineReader reader = new LineReader(fromAgent);
        try {
            while (true) {
                switch (reader.next()) {
                    case LineReader.Line.End end -> {
                        return;
                    }
                    case LineReader.Line.TooLong tooLong -> refuse(new ProtocolError(null, ProtocolError.LINE_TOO_LONG,
                            "line of " + tooLong.bytes() + " bytes is over the limit of " + JsonLines.MAX_LINE_BYTES));
                    case LineReader.Line.NotUtf8 bad -> refuse(new ProtocolError(null, ProtocolError.BAD_LINE,
                            "line of " + bad.bytes() + " bytes is not UTF-8"));
                    case LineReader.Line.Text text -> {
                        switch (JsonLines.decodeFromAgent(text.text())) {
                            case Decoded.Ok<AgentMessage> ok -> inbox.add(ok.message());
                            case Decoded.Failed<AgentMessage> failed -> refuse(failed.error());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the stream broke; treated like its end
        } finally {
            inbox.add(CLOSED);
        }
    }

    private void refuse(ProtocolError error) {
        refused.incrementAndGet();
        onRefused.accept(error);
        send(error);
    }

    @Override
    public void close() {
        try {
            toAgent.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
