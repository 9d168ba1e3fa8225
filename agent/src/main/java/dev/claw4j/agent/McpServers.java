package dev.claw4j.agent;

import dev.claw4j.protocol.McpServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

/**
 * A turn's MCP servers: started together when the turn starts, stopped when it ends (nothing a turn starts
 * outlives it, see {@link Leftovers}). A server that does not start, answer the handshake or list its tools in
 * time is left out and named in {@link #problems()}; it never holds up the turn longer than the start timeout.
 */
final class McpServers implements AutoCloseable {
    /** What a server may be called: its name becomes part of tool names, which models limit to 64 characters. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,32}");
    static final McpServers NONE = new McpServers(List.of(), List.of(), List.of());

    private final List<McpClient> clients;
    private final List<McpTool> tools;
    private final List<String> problems;

    private McpServers(List<McpClient> clients, List<McpTool> tools, List<String> problems) {
        this.clients = clients;
        this.tools = tools;
        this.problems = problems;
    }

    static McpServers start(List<McpServer> servers, Path workDir, Duration startTimeout, Duration callTimeout,
                            String clientVersion) {
        if (servers.isEmpty()) {
            return NONE;
        }
        List<String> problems = new ArrayList<>();
        List<McpServer> valid = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (McpServer server : servers) {
            if (server.name() == null || !NAME.matcher(server.name()).matches()) {
                problems.add("MCP server name \"" + server.name() + "\" is not allowed: use 1-32 letters, digits, _ or -");
            } else if (!seen.add(server.name())) {
                problems.add("MCP server \"" + server.name() + "\" is listed twice; the first one is used");
            } else {
                valid.add(server);
            }
        }
        // all at once, so a slow server costs the turn one timeout, not one each
        List<CompletableFuture<Started>> starting = valid.stream()
                .map(server -> CompletableFuture.supplyAsync(() -> startOne(server, workDir, startTimeout, callTimeout,
                        clientVersion), command -> Thread.ofVirtual().start(command)))
                .toList();
        List<McpClient> clients = new ArrayList<>();
        List<McpTool> tools = new ArrayList<>();
        for (int i = 0; i < starting.size(); i++) {
            Started started;
            try {
                // startOne has its own timeouts; this one only guards against a hang outside them
                started = starting.get(i).get(startTimeout.toMillis() * 2 + 5_000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                started = new Started(null, List.of(), "MCP server \"" + valid.get(i).name() + "\" did not start in time");
            } catch (Exception e) {
                started = new Started(null, List.of(), "MCP server \"" + valid.get(i).name() + "\" failed: " + e);
            }
            if (started.client() != null) {
                clients.add(started.client());
                tools.addAll(started.tools());
            }
            if (started.problem() != null) {
                problems.add(started.problem());
            }
        }
        return new McpServers(clients, tools, problems);
    }

    private record Started(McpClient client, List<McpTool> tools, String problem) {}

    private static Started startOne(McpServer server, Path workDir, Duration startTimeout, Duration callTimeout,
                                    String clientVersion) {
        McpClient client = null;
        try {
            client = McpClient.start(server, workDir, startTimeout, clientVersion);
            List<McpTool> tools = new ArrayList<>();
            for (McpClient.McpToolInfo info : client.listTools(startTimeout)) {
                tools.add(new McpTool(client, info, callTimeout));
            }
            Log.info("MCP server \"" + server.name() + "\" started with " + tools.size() + " tool(s)");
            return new Started(client, tools, null);
        } catch (McpClient.McpException e) {
            if (client != null) {
                client.close();
            }
            Log.warn(e.getMessage());
            return new Started(null, List.of(), e.getMessage());
        }
    }

    List<McpTool> tools() {
        return tools;
    }

    /** One sentence per server that is not available this turn, saying why. */
    List<String> problems() {
        return problems;
    }

    @Override
    public void close() {
        clients.forEach(McpClient::close);
    }
}
