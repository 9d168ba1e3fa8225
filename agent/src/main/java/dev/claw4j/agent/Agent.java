package dev.claw4j.agent;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.Usage;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The agent as a whole: says it is ready, then runs the turns the host starts, one after the other,
 * until the host says {@code shutdown} or closes stdin. Everything is wired here by constructors, so a
 * test can run the real agent on pipes and a temporary workspace.
 */
final class Agent {
    private final String version;
    private final HostLink link;
    private final Toolbox toolbox;
    private final AgentLoop loop;
    private final Leftovers leftovers;

    /** @param leftovers what is stopped when a turn ends (see {@link Leftovers}) */
    Agent(InputStream in, OutputStream out, Path workspaceRoot, String version, Leftovers leftovers) {
        this.version = version;
        this.leftovers = leftovers;
        this.link = new HostLink(in, out);
        this.toolbox = Toolbox.standard();
        Workspace workspace = new Workspace(workspaceRoot);
        this.loop = new AgentLoop(link, workspace, toolbox, new SessionStore(workspace.group()),
                new RequestFitter(JsonLines.MAX_LINE_BYTES));
    }

    /** Returns when the host is done with us; never throws for anything the host sends. */
    void run() {
        // The very first line: the host counts the sandbox as ready only when it sees this.
        link.sendReady(new AgentMessage.Ready(version, toolbox.names()));
        warmUpCodec();
        try {
            while (true) {
                Optional<HostMessage> next = link.next();
                if (next.isEmpty()) {
                    Log.info("stdin ended; exiting");
                    return;
                }
                switch (next.get()) {
                    case HostMessage.TurnStart start -> {
                        AgentMessage.TurnDone done = loop.run(start);
                        stopLeftovers(start.turnId());
                        link.send(done);
                    }
                    case HostMessage.Shutdown shutdown -> {
                        Log.info("shutdown: " + shutdown.reason());
                        return;
                    }
                    case HostMessage.TurnMessage late ->
                        // raced with the end of its turn: turn.done did not count it, so the host sends it
                        // again in the next turn.start; keeping it here would answer it twice
                        Log.info("follow-up for turn " + late.turnId() + " arrived after it ended; the host re-sends it");
                    case ProtocolError error -> Log.warn("host reported: " + error.code() + ": " + error.message());
                    case HostMessage other -> Log.warn("ignoring " + other.type() + " outside a turn");
                }
            }
        } catch (HostGone e) {
            Log.info("exiting: " + e.getMessage());
        }
    }

    /**
     * Nothing a turn started outlives it: processes still running are killed before {@code turn.done}, so
     * when the host hears the turn ended, its processes have too. The host audits the event.
     */
    private void stopLeftovers(String turnId) {
        List<String> killed = leftovers.stop();
        if (!killed.isEmpty()) {
            String detail = "stopped " + killed.size() + " process(es) left running at the end of the turn: "
                    + Text.shorten(String.join(", ", killed), 500);
            Log.info(detail);
            link.send(new AgentMessage.Event(turnId, "processes.stopped", "bash", detail, null, null));
        }
    }

    /**
     * Builds the codec's JSON machinery in the background while the host prepares the first turn, so
     * that turn does not pay for it. (Class initialisation is thread-safe: if the turn comes first, the
     * main thread simply waits for it.)
     */
    private void warmUpCodec() {
        Thread.ofPlatform().daemon().name("codec-warm-up").start(() -> {
            JsonLines.decodeFromHost(JsonLines.encode(new HostMessage.Shutdown("warm-up")));
            JsonLines.encode(new AgentMessage.TurnDone("warm-up", "", Usage.NONE));
        });
    }
}
