package dev.claw4j.core.sandbox;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A sandbox runtime without containers: each "sandbox" is a thread running a script that talks to the host over
 * real OS pipes (so a host that stops reading blocks the script's writes, as a container's would), after the
 * agent's ready line. What the host writes is queued for the script to read, or not: it never blocks the host.
 * Stopping a sandbox closes the pipes and ends the script.
 */
public final class FakeRuntime implements SandboxRuntime {
    /** What the agent in a fake sandbox does after its ready line. */
    public interface Script {
        void run(FakeSandbox agent) throws Exception;
    }

    final List<FakeSandbox> started = new CopyOnWriteArrayList<>();
    private final Script script;
    private final boolean seesHostFolder;
    /**
     * The group folder as sandboxes that do not see the host's see it (a pod's volume, shared by all of them here),
     * by the path the agent sees.
     */
    final Map<String, byte[]> volume = new ConcurrentHashMap<>();

    public FakeRuntime(Script script) {
        this(script, true);
    }

    /** With {@code seesHostFolder} false, its sandboxes keep the files put into them in {@link #volume}. */
    FakeRuntime(Script script, boolean seesHostFolder) {
        this.script = script;
        this.seesHostFolder = seesHostFolder;
    }

    static SandboxSpec spec(String groupId) {
        return new SandboxSpec(groupId, Path.of("/nonexistent"), null, SandboxLimits.DEFAULTS);
    }

    @Override
    public Isolation isolation() {
        return new Isolation("fake", Isolation.Kind.CONTAINER);
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        FakeSandbox sandbox = new FakeSandbox(spec.groupId(), script, seesHostFolder, volume);
        started.add(sandbox);
        return sandbox;
    }

    @Override
    public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
        throw new UnsupportedOperationException("no exec in the fake runtime");
    }

    @Override
    public int removeOrphans() {
        return 0;
    }

    @Override
    public void close() {}

    public static final class FakeSandbox implements Sandbox {
        /** Queued after the host's last line when its pipe closes: the sandbox was stopped. */
        private static final String STOPPED = new String("stopped");
        private final String groupId;
        private final Pipe toHost;
        private final Pipe fromHost;
        private final OutputStream agentOut;
        private final BlockingQueue<String> hostLines = new LinkedBlockingQueue<>();
        private final CompletableFuture<SandboxExit> exit = new CompletableFuture<>();
        private final boolean seesHostFolder;
        /** The files put into this sandbox, by the path the agent sees. */
        final Map<String, byte[]> files;
        volatile long linesWritten;

        FakeSandbox(String groupId, Script script, boolean seesHostFolder, Map<String, byte[]> files) {
            this.groupId = groupId;
            this.seesHostFolder = seesHostFolder;
            this.files = files;
            try {
                toHost = Pipe.open();
                fromHost = Pipe.open();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            agentOut = Channels.newOutputStream(toHost.sink());
            // read at once, whether or not the script wants it: a host's error answers must not block on it
            Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(
                        Channels.newInputStream(fromHost.source()), StandardCharsets.UTF_8))) {
                    for (String line; (line = in.readLine()) != null; ) {
                        hostLines.add(line);
                    }
                } catch (IOException e) {
                    // stopped
                } finally {
                    hostLines.add(STOPPED);
                }
            });
            Thread.ofVirtual().name("fake-agent-" + groupId).start(() -> {
                try {
                    writeLine(JsonLines.encode(new AgentMessage.Ready("fake", List.of())));
                    script.run(this);
                } catch (Exception e) {
                    // stopped under the script
                }
            });
        }

        public void writeLine(String line) throws IOException {
            agentOut.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            linesWritten++;
        }

        /** The host's next line, waiting for it; null once the sandbox is stopped. */
        public String readLine() throws InterruptedException {
            String line = hostLines.take();
            if (line == STOPPED) {
                hostLines.add(STOPPED); // and for every later call
                return null;
            }
            return line;
        }

        @Override
        public String groupId() {
            return groupId;
        }

        @Override
        public String name() {
            return "fake-" + groupId;
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
            byte[] content = seesHostFolder ? null : files.get(path);
            if (content == null) {
                throw new SandboxException(path + " does not exist in the fake sandbox");
            }
            return content.clone();
        }

        @Override
        public boolean seesHostFolder() {
            return seesHostFolder;
        }

        @Override
        public String putInbox(String name, byte[] content) {
            if (seesHostFolder) {
                return Sandbox.super.putInbox(name, content);
            }
            String path = "inbox/" + dev.claw4j.core.folder.GroupFolders.safeName(name);
            files.put(path, content.clone());
            return path;
        }

        @Override
        public void stop(Duration grace) {
            try {
                toHost.sink().close();
                fromHost.source().close();
            } catch (IOException e) {
                // closed already
            }
            exit.complete(new SandboxExit(137, false));
        }
    }
}
