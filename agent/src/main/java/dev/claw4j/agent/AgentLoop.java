package dev.claw4j.agent;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.ToolSettings;
import dev.claw4j.protocol.Usage;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * One turn: the saved conversation plus the new chat messages go to the model (through the host, as
 * {@code llm.request}); the tools it asks for run here; this repeats until the model answers without
 * tool calls, and that answer is the turn's reply. Follow-up chat messages that arrive meanwhile join
 * the conversation before the next model call, and are answered in this same turn.
 */
final class AgentLoop {
    /** How long an MCP server has to start, answer the handshake and list its tools. */
    static final Duration MCP_START_TIMEOUT = Duration.ofSeconds(15);
    private static final String VERSION = java.util.Objects.requireNonNullElse(
            AgentLoop.class.getPackage().getImplementationVersion(), "dev");

    private final HostLink link;
    private final Workspace workspace;
    private final Toolbox toolbox;
    private final SessionStore session;
    private final RequestFitter fitter;

    AgentLoop(HostLink link, Workspace workspace, Toolbox toolbox, SessionStore session, RequestFitter fitter) {
        this.link = link;
        this.workspace = workspace;
        this.toolbox = toolbox;
        this.session = session;
        this.fitter = fitter;
    }

    /** Runs the turn to its end and returns its {@code turn.done}; never throws, except {@link HostGone}. */
    AgentMessage.TurnDone run(HostMessage.TurnStart start) {
        Turn turn = new Turn(start.turnId());
        try {
            runSteps(start, turn);
        } catch (HostGone e) {
            throw e;
        } catch (RuntimeException e) {
            Log.error("turn " + start.turnId() + " failed", e);
            turn.replies.add("Something went wrong inside the agent (" + Text.shorten(e.toString(), 200)
                    + "), so I stopped this turn. Please try again.");
        }
        String reply = String.join("\n\n", turn.replies);
        return new AgentMessage.TurnDone(start.turnId(), reply, turn.usage, turn.followUpsTaken);
    }

    /** What a turn accumulates: its replies (usually one) and the tokens it used. */
    private static final class Turn {
        final String id;
        final List<String> replies = new ArrayList<>();
        Usage usage = Usage.NONE;
        int followUpsTaken;

        Turn(String id) {
            this.id = id;
        }
    }

    private void runSteps(HostMessage.TurnStart start, Turn turn) {
        ToolSettings settings = start.tools();
        ensureGroupFolder();
        try (McpServers mcp = startMcpServers(settings, turn)) {
            runSteps(start, turn, toolbox.with(mcp.tools()));
        }
    }

    /**
     * The group's MCP servers for this turn. One that cannot be used is named in the reply and audited, and
     * the turn goes on without it.
     */
    private McpServers startMcpServers(ToolSettings settings, Turn turn) {
        McpServers mcp = McpServers.start(settings.mcpServers(), workspace.group(), MCP_START_TIMEOUT,
                Duration.ofMillis(Math.max(settings.bashTimeoutMs(), 1_000)), VERSION);
        for (String problem : mcp.problems()) {
            link.send(new AgentMessage.Event(turn.id, "mcp.failed", "mcp", problem, false, null));
            turn.replies.add("(" + problem + ", so its tools were not available to me this turn.)");
        }
        return mcp;
    }

    private void runSteps(HostMessage.TurnStart start, Turn turn, Toolbox toolbox) {
        ToolSettings settings = start.tools();
        ToolContext context = new ToolContext(workspace, settings, (method, args) -> callHost(turn.id, method, args));
        ToolRunner tools = new ToolRunner(toolbox, link);

        // a scheduled run with a fresh context starts from nothing and leaves the chat's conversation alone; the
        // first turn of a session (after /reset) starts from nothing and saves over the old one
        List<LlmMessage> conversation = new ArrayList<>(start.fresh() || start.startsSession() ? List.of()
                : session.load());
        // follow-ups that came after the previous turn ended belong before this turn's messages
        List<ChatMessage> incoming = new ArrayList<>(link.takeFollowUps());
        incoming.addAll(start.messages());
        conversation.add(LlmMessage.user(asUserText(incoming)));

        int steps = 0;
        while (true) {
            if (steps >= Math.max(settings.maxSteps(), 1)) {
                String reply = "I stopped after " + steps + " steps, the limit for one turn, before I was done."
                        + " Ask me to continue if you want me to go on.";
                conversation.add(LlmMessage.assistant(reply, List.of()));
                turn.replies.add(reply);
                break;
            }
            steps++;
            String id = link.newId("llm");
            Optional<AgentMessage.LlmRequest> request = fitter.fit(conversation,
                    messages -> new AgentMessage.LlmRequest(id, turn.id, start.instructions(), messages,
                            toolbox.specs(), null));
            if (request.isEmpty()) {
                turn.replies.add("This conversation is too large to send to the model, even after dropping old"
                        + " tool output. Please send a shorter message.");
                break;
            }
            link.send(request.get());
            HostMessage answer = link.awaitAnswer(id);
            if (!(answer instanceof HostMessage.LlmResponse response)) {
                String why = answer instanceof ProtocolError error ? error.message()
                        : "the host answered with " + answer.type() + " instead of llm.response";
                turn.replies.add("The model call failed: " + why);
                break;
            }
            turn.usage = turn.usage.plus(response.usage());
            LlmMessage said = asAssistant(response.message());
            conversation.add(said);

            if (said.hasToolCalls()) {
                for (ToolCall call : said.toolCalls()) {
                    conversation.add(LlmMessage.toolResult(call, tools.run(call, turn.id, context)));
                }
                addFollowUps(conversation, turn);
                continue;
            }
            if (said.text() != null && !said.text().isBlank()) {
                turn.replies.add(said.text());
            }
            // Messages that came in during this last call would go unanswered if the turn ended here.
            if (!addFollowUps(conversation, turn)) {
                break;
            }
        }
        if (!start.fresh()) {
            session.save(conversation);
        }
    }

    /** Adds the queued follow-ups as one user message; false when there were none. */
    private boolean addFollowUps(List<LlmMessage> conversation, Turn turn) {
        List<ChatMessage> followUps = link.takeFollowUps();
        if (followUps.isEmpty()) {
            return false;
        }
        turn.followUpsTaken += followUps.size();
        conversation.add(LlmMessage.user(asUserText(followUps)));
        return true;
    }

    private HostMessage.HostResult callHost(String turnId, String method, Map<String, String> args) {
        String id = link.newId("call");
        link.send(new AgentMessage.HostCall(id, turnId, method, args));
        return switch (link.awaitAnswer(id)) {
            case HostMessage.HostResult result -> result;
            case ProtocolError error -> HostMessage.HostResult.failed(id, error.message());
            case HostMessage other -> HostMessage.HostResult.failed(id, "the host answered with " + other.type());
        };
    }

    private void ensureGroupFolder() {
        try {
            Files.createDirectories(workspace.group());
        } catch (IOException e) {
            Log.warn("cannot create the group folder " + workspace.group() + ": " + e);
        }
    }

    /** Chat messages as the model reads them: one "sender: text" line each. */
    static String asUserText(List<ChatMessage> messages) {
        return messages.stream()
                .map(m -> m.sender() == null || m.sender().isBlank() ? m.text() : m.sender() + ": " + m.text())
                .collect(Collectors.joining("\n"));
    }

    /** The model's message as it is kept: always with the assistant role, even if the host left it out. */
    private static LlmMessage asAssistant(LlmMessage message) {
        if (message == null) {
            return LlmMessage.assistant("", List.of());
        }
        return LlmMessage.assistant(message.text(), message.toolCalls());
    }
}
