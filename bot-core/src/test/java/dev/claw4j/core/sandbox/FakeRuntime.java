package dev.claw4j.core.sandbox;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A sandbox runtime without containers: each "sandbox" is a thread running a script that writes to the host
 * over a real OS pipe (so a host that stops reading blocks the script's writes, as a container's would), after
 * the agent's ready line. Stopping it closes the pipes and ends the script.
 */
final class FakeRuntime implements SandboxRuntime {
    /** What the agent in a fake sandbox does after its ready line. */
    interface Script {
        void run(FakeSandbox agent) throws Exception;
    }

    final List<FakeSandbox> started = new CopyOnWriteArrayList<>();
    private final Script script;
    private final boolean seesHostFolder;

    FakeRuntime(Script script) {
        this(script, true);
    }

    /**
     * The group folder as sandboxes that do not see the host's see it (a pod's volume, shared by all of them here),
     * by the path the agent sees.
     */
    final java.util.Map<String, byte[]> volume = new java.util.concurrent.ConcurrentHashMap<>();

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

    static final class FakeSandbox implements Sandbox {
        private final String groupId;
        private final Pipe toHost;
        private final Pipe fromHost;
        private final OutputStream agentOut;
        private final CompletableFuture<SandboxExit> exit = new CompletableFuture<>();
        private final boolean seesHostFolder;
        /** The files put into this sandbox, by the path the agent sees. */
        final java.util.Map<String, byte[]> files;
        /** The lines the host sent. */
        final List<String> fromHostLines = new CopyOnWriteArrayList<>();
        volatile long linesWritten;

        FakeSandbox(String groupId, Script script, boolean seesHostFolder, java.util.Map<String, byte[]> files) {
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
            // the agent does not read what the host sends, but a host's error answers must not block on it
            Thread.ofVirtual().start(() -> {
                try (var in = new java.io.BufferedReader(new java.io.InputStreamReader(
                        Channels.newInputStream(fromHost.source()), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        fromHostLines.add(line);
                    }
                } catch (IOException e) {
                    // stopped
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

        void writeLine(String line) throws IOException {
            agentOut.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            linesWritten++;
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
