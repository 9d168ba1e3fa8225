package dev.claw4j.agent;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.LineReader;
import dev.claw4j.protocol.ProtocolError;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;

/**
 * The agent's one connection to the host: protocol lines out on stdout, in from stdin.
 *
 * <p>The agent is single-threaded: it reads stdin only when it waits for something (the next turn, or
 * the answer to a request). Whatever else arrives while it waits is kept, not dropped: follow-up chat
 * messages ({@code turn.message}) for the running turn, and a {@code turn.start} for after it.
 * A line that is not a valid host message is answered with an {@code error} and skipped.
 */
final class HostLink {
    private final LineReader reader;
    private final Writer out;
    private final List<ChatMessage> followUps = new ArrayList<>();
    private final Deque<HostMessage> later = new ArrayDeque<>();
    private long lastId;

    HostLink(InputStream in, OutputStream out) {
        this.reader = new LineReader(in, JsonLines.MAX_LINE_BYTES);
        this.out = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8));
    }

    /** Writes one message as one line, flushed at once (the host may be waiting for it). */
    void send(AgentMessage message) {
        write(JsonLines.encode(message));
    }

    /** Writes the ready line; see {@link ReadyLine} for why it does not go through the codec. */
    void sendReady(AgentMessage.Ready ready) {
        write(ReadyLine.encode(ready));
    }

    private void write(String line) {
        try {
            out.write(line);
            out.write('\n');
            out.flush();
        } catch (IOException e) {
            throw new HostGone("cannot write to stdout: " + e.getMessage());
        }
    }

    /** A fresh request id, unique for the life of this agent. */
    String newId(String prefix) {
        return prefix + "-" + (++lastId);
    }

    /** The next message from the host, or empty when stdin has ended. */
    Optional<HostMessage> next() {
        if (!later.isEmpty()) {
            return Optional.of(later.removeFirst());
        }
        while (true) {
            LineReader.Line line;
            try {
                line = reader.next();
            } catch (IOException e) {
                Log.warn("reading stdin failed: " + e.getMessage());
                return Optional.empty();
            }
            switch (line) {
                case LineReader.Line.End end -> {
                    return Optional.empty();
                }
                case LineReader.Line.TooLong tooLong -> refuse(new ProtocolError(null, ProtocolError.LINE_TOO_LONG,
                        "a line of " + tooLong.bytes() + " bytes is over the limit of " + JsonLines.MAX_LINE_BYTES
                                + " bytes; it was skipped"));
                case LineReader.Line.NotUtf8 notUtf8 -> refuse(new ProtocolError(null, ProtocolError.BAD_LINE,
                        "a line of " + notUtf8.bytes() + " bytes is not valid UTF-8; it was skipped"));
                case LineReader.Line.Text text -> {
                    switch (JsonLines.decodeFromHost(text.text())) {
                        case Decoded.Ok<HostMessage> ok -> {
                            return Optional.of(ok.message());
                        }
                        case Decoded.Failed<HostMessage> failed -> refuse(failed.error());
                    }
                }
            }
        }
    }

    /**
     * Waits for the host's answer to request {@code id}: an {@code llm.response}, a {@code host.result},
     * or an {@code error} with that id. Follow-ups and turn starts arriving meanwhile are kept.
     *
     * @throws HostGone on {@code shutdown} or end of stdin
     */
    HostMessage awaitAnswer(String id) {
        while (true) {
            HostMessage message = next().orElseThrow(() -> new HostGone("stdin ended while waiting for " + id));
            switch (message) {
                case HostMessage.LlmResponse r when id.equals(r.id()) -> {
                    return r;
                }
                case HostMessage.HostResult r when id.equals(r.id()) -> {
                    return r;
                }
                case ProtocolError e when id.equals(e.id()) -> {
                    return e;
                }
                // kept whatever turn id it names: a sandbox serves one group, so it belongs to this conversation
                case HostMessage.TurnMessage m -> followUps.addAll(m.messages());
                case HostMessage.Shutdown s -> throw new HostGone("shutdown: " + s.reason());
                case HostMessage.TurnStart t -> {
                    // the host runs one turn at a time, so this is a host bug; run it after this turn rather than lose it
                    Log.warn("turn " + t.turnId() + " started while another turn runs; it will run next");
                    later.addLast(t);
                }
                case ProtocolError e -> Log.warn("host reported: " + e.code() + ": " + e.message());
                default -> Log.warn("ignoring " + message.type() + " that does not answer " + id);
            }
        }
    }

    /** The follow-ups received since the last call, in arrival order. */
    List<ChatMessage> takeFollowUps() {
        List<ChatMessage> taken = List.copyOf(followUps);
        followUps.clear();
        return taken;
    }

    private void refuse(ProtocolError error) {
        Log.warn("refused a line from the host: " + error.code() + ": " + error.message());
        send(error);
    }
}
