package dev.claw4j.core.agent;

import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.LineReader;
import dev.claw4j.protocol.ProtocolError;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The host's end of one agent's stdio. It reads the agent's lines on a virtual thread and hands over
 * only well-formed messages; every bad line is answered with an {@code error} line to the agent, reported
 * to {@code onRefused} (for the audit trail) and counted, so the owner can kill a sandbox that keeps
 * misbehaving. Nothing a sandbox writes can make this throw.
 *
 * <p>The inbox is bounded ({@value #MAX_QUEUED} messages, {@value #MAX_QUEUED_CHARS} characters): while
 * nobody receives (between turns, or a turn busy with a model call) the reader stops reading, and the sandbox's
 * writes wait in its stdout instead of in the host's memory. What it read and passed on is counted for the
 * {@link dev.claw4j.core.sandbox.Watchdog}, which runs on its own timer.
 */
public final class AgentChannel implements AutoCloseable {
    /** What {@link #receive} returns once the agent's output ended or the channel was closed. */
    public static final AgentMessage CLOSED = new ProtocolError(null, "closed", "the agent's output ended");

    /** A burst of a few hundred small lines is fine; a sandbox that writes more waits until the host takes them. */
    public static final int MAX_QUEUED = 256;
    /** Bounds the inbox for big lines (each up to 1 MiB); one line always fits into an empty inbox. */
    public static final int MAX_QUEUED_CHARS = 4 << 20;

    private final OutputStream toAgent;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Queued> inbox = new ArrayDeque<>();
    private long queuedChars;
    private boolean ended;
    private boolean closed;
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicLong passed = new AtomicLong();
    private final AtomicLong bytesRead = new AtomicLong();
    private final Consumer<ProtocolError> onRefused;

    private record Queued(AgentMessage message, int chars) {}

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

    /** The next good message, {@link #CLOSED} once the output ended (for every later call too), or null on timeout. */
    public AgentMessage receive(Duration timeout) throws InterruptedException {
        long left = timeout.toNanos();
        lock.lockInterruptibly();
        try {
            while (inbox.isEmpty()) {
                if (ended) {
                    return CLOSED;
                }
                if (left <= 0) {
                    return null;
                }
                left = notEmpty.awaitNanos(left);
            }
            Queued q = inbox.removeFirst();
            queuedChars -= q.chars();
            notFull.signal();
            return q.message();
        } finally {
            lock.unlock();
        }
    }

    /** How many lines of this agent were refused so far. */
    public int refusedLines() {
        return refused.get();
    }

    /** How many good messages the agent wrote so far (taken in by the reader, received or not). */
    public long messagesRead() {
        return passed.get();
    }

    /** How many bytes of output the reader took from the agent so far, good lines and bad. */
    public long bytesRead() {
        return bytesRead.get();
    }

    /** Messages waiting to be received; never more than {@link #MAX_QUEUED}. */
    public int queued() {
        lock.lock();
        try {
            return inbox.size();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for room in the inbox; false when the channel was closed meanwhile (the message is dropped). */
    private boolean enqueue(AgentMessage message, int chars) throws InterruptedException {
        lock.lock();
        try {
            while (!closed && !inbox.isEmpty()
                    && (inbox.size() >= MAX_QUEUED || queuedChars + chars > MAX_QUEUED_CHARS)) {
                notFull.await();
            }
            if (closed) {
                return false;
            }
            inbox.addLast(new Queued(message, chars));
            queuedChars += chars;
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Closed by its owner: nobody receives any more, so nothing more is read. */
    private boolean closed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    private void end() {
        lock.lock();
        try {
            ended = true;
            notEmpty.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void readLoop(InputStream fromAgent) {
        LineReader reader = new LineReader(new FilterInputStream(fromAgent) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    bytesRead.addAndGet(n);
                }
                return n;
            }
        });
        try {
            while (!closed()) {
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
                            case Decoded.Ok<AgentMessage> ok -> {
                                passed.incrementAndGet();
                                if (!enqueue(ok.message(), text.text().length())) {
                                    return; // closed by its owner: nobody will receive again
                                }
                            }
                            case Decoded.Failed<AgentMessage> failed -> refuse(failed.error());
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // the stream broke; treated like its end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            end();
        }
    }

    private void refuse(ProtocolError error) {
        refused.incrementAndGet();
        onRefused.accept(error);
        send(error);
    }

    /** Closes the agent's input; a reader waiting for room in the inbox gives up, as nobody will receive. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            toAgent.close();
        } catch (IOException e) {
            // already closed
        }
    }
}
