package dev.claw4j.core.cluster;

import dev.claw4j.core.sandbox.ExecResult;
import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxExit;
import dev.claw4j.core.sandbox.SandboxRuntime;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.Usage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Sandboxes without containers whose agent speaks the real protocol over OS pipes: for every {@code turn.start} it
 * answers {@code turn.done} with "re: " and the texts of the turn's messages joined by " | ". {@link #hold()} makes
 * every agent wait before answering (a turn in progress) until {@link #release()}; {@link #freeze()} makes them never
 * answer again (a dead host's sandboxes).
 */
final class EchoRuntime implements SandboxRuntime {
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile boolean frozen;
    private final CountDownLatch waiting = new CountDownLatch(1);

    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    void freeze() {
        frozen = true;
    }

    /** Waits until an agent has a turn and is held at the gate. */
    boolean awaitHeldTurn(Duration timeout) throws InterruptedException {
        return waiting.await(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    @Override
    public Isolation isolation() {
        return new Isolation("fake", Isolation.Kind.CONTAINER);
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        return new EchoSandbox(spec.groupId());
    }

    @Override
    public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
        throw new UnsupportedOperationException("no exec here");
    }

    @Override
    public int removeOrphans() {
        return 0;
    }

    @Override
    public void close() {
    }

    private final class EchoSandbox implements Sandbox {
        private final String groupId;
        private final Pipe toHost;
        private final Pipe fromHost;
        private final CompletableFuture<SandboxExit> exit = new CompletableFuture<>();

        EchoSandbox(String groupId) {
            this.groupId = groupId;
            try {
                toHost = Pipe.open();
                fromHost = Pipe.open();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread.ofVirtual().name("echo-agent-" + groupId).start(this::agent);
        }

        private void agent() {
            try (OutputStream out = Channels.newOutputStream(toHost.sink());
                 BufferedReader in = new BufferedReader(new InputStreamReader(Channels.newInputStream(fromHost.source()),
                         StandardCharsets.UTF_8))) {
                write(out, new AgentMessage.Ready("echo", List.of()));
                for (String line; (line = in.readLine()) != null; ) {
                    if (JsonLines.decodeFromHost(line) instanceof Decoded.Ok<HostMessage> ok
                            && ok.message() instanceof HostMessage.TurnStart start) {
                        CountDownLatch g = gate;
                        if (g.getCount() > 0) {
                            waiting.countDown();
                        }
                        g.await();
                        while (frozen) {
                            Thread.sleep(Long.MAX_VALUE);
                        }
                        Thread.sleep(10); // a little work
                        write(out, new AgentMessage.TurnDone(start.turnId(), "re: " + start.messages().stream()
                                .map(ChatMessage::text).collect(Collectors.joining(" | ")), new Usage(1, 1)));
                    }
                }
            } catch (IOException | InterruptedException e) {
                // stopped
            }
        }

        private static void write(OutputStream out, AgentMessage m) throws IOException {
            out.write((JsonLines.encode(m) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public String groupId() {
            return groupId;
        }

        @Override
        public String name() {
            return "echo-" + groupId;
        }

        @Override
        public OutputStream stdin() {
            return Channels.newOutputStream(fromHost.sink());
        }

        @Override
        public InputStream stdout() {
            return Channels.newInputStream(toHost.source());
        }

        @Override
        public CompletableFuture<SandboxExit> exit() {
            return exit;
        }

        @Override
        public byte[] readFile(String path, int maxBytes) {
            throw new UnsupportedOperationException("no files here");
        }

        @Override
        public void stop(Duration grace) {
            try {
                toHost.sink().close();
                fromHost.source().close();
                fromHost.sink().close();
            } catch (IOException e) {
                // closed already
            }
            exit.complete(new SandboxExit(137, false));
        }
    }
}
