package dev.claw4j.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.protocol.McpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client for one stdio MCP server: newline-delimited JSON-RPC 2.0 on the server's stdin/stdout. It does
 * the handshake ({@code initialize}, {@code notifications/initialized}), lists the tools ({@code tools/list})
 * and calls them ({@code tools/call}), each request with a timeout; a line longer than the cap is refused.
 *
 * <p>Our own small client rather than the official SDK (io.modelcontextprotocol.sdk:mcp 2.1.0): that one is built
 * on Jackson 3 (we use 2) and pulls in reactor-core and a schema validator, into a jar that is copied into every
 * sandbox and started on every turn; we need only these three requests.
 */
final class McpClient implements AutoCloseable {
    static final String PROTOCOL_VERSION = "2025-06-18";
    /** The longest line read from a server; a longer answer fails its request instead of filling memory. */
    static final int MAX_LINE_CHARS = 1_000_000;
    private static final int MAX_TOOL_PAGES = 20;

    /** A tool the server offers, as it described it. */
    record McpToolInfo(String name, String description, JsonNode inputSchema) {}

    /** What a {@code tools/call} returned: its text content, and whether the server flagged it an error. */
    record CallResult(String text, boolean isError) {}

    private final String name;
    private final Process process;
    private final OutputStream stdin;
    private final Map<Long, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private volatile String gone;

    private McpClient(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread.ofVirtual().name("mcp-" + name).start(this::readLoop);
    }

    /**
     * Starts the server in {@code workDir} with a clean environment (PATH, HOME, LANG and the configured
     * variables: nothing of the runner's own) and does the handshake.
     */
    static McpClient start(McpServer server, Path workDir, Duration timeout, String clientVersion)
            throws McpException {
        if (server.command().isEmpty()) {
            throw new McpException("MCP server \"" + server.name() + "\" has no command; set command: [program, args...]");
        }
        ProcessBuilder builder = new ProcessBuilder(server.command()).directory(workDir.toFile())
                .redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = builder.environment();
        Map<String, String> keep = new java.util.HashMap<>();
        for (String key : List.of("PATH", "HOME", "LANG", Leftovers.MARK)) {
            if (env.containsKey(key)) {
                keep.put(key, env.get(key));
            }
        }
        env.clear();
        env.putAll(keep);
        env.putIfAbsent(Leftovers.MARK, Long.toString(ProcessHandle.current().pid()));
        env.putAll(server.env());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new McpException("MCP server \"" + server.name() + "\" did not start (" + e.getMessage()
                    + "); its command must be a program in the agent image or the group folder");
        }
        McpClient client = new McpClient(server.name(), process);
        try {
            ObjectNode params = Json.MAPPER.createObjectNode();
            params.put("protocolVersion", PROTOCOL_VERSION);
            params.putObject("capabilities");
            params.putObject("clientInfo").put("name", "claw4j").put("version", clientVersion);
            client.request("initialize", params, timeout);
            client.notify("notifications/initialized");
            return client;
        } catch (McpException | RuntimeException e) {
            client.close();
            throw e;
        }
    }

    String name() {
        return name;
    }

    List<McpToolInfo> listTools(Duration timeout) throws McpException {
        List<McpToolInfo> tools = new ArrayList<>();
        String cursor = null;
        for (int page = 0; page < MAX_TOOL_PAGES; page++) {
            ObjectNode params = Json.MAPPER.createObjectNode();
            if (cursor != null) {
                params.put("cursor", cursor);
            }
            JsonNode result = request("tools/list", params, timeout);
            for (JsonNode tool : result.path("tools")) {
                String toolName = tool.path("name").asText("");
                if (!toolName.isEmpty()) {
                    JsonNode schema = tool.path("inputSchema");
                    tools.add(new McpToolInfo(toolName, tool.path("description").asText(""),
                            schema.isObject() ? schema : Json.MAPPER.createObjectNode().put("type", "object")));
                }
            }
            cursor = result.path("nextCursor").asText(null);
            if (cursor == null || cursor.isEmpty()) {
                break;
            }
        }
        return tools;
    }

    CallResult callTool(String tool, JsonNode arguments, Duration timeout) throws McpException {
        ObjectNode params = Json.MAPPER.createObjectNode();
        params.put("name", tool);
        params.set("arguments", arguments == null ? Json.MAPPER.createObjectNode() : arguments);
        JsonNode result = request("tools/call", params, timeout);
        StringBuilder text = new StringBuilder();
        for (JsonNode part : result.path("content")) {
            if (!text.isEmpty()) {
                text.append('\n');
            }
            String type = part.path("type").asText("");
            text.append(type.equals("text") ? part.path("text").asText("") : "[" + type + " content omitted]");
        }
        if (text.isEmpty() && result.has("structuredContent")) {
            text.append(result.get("structuredContent").toString());
        }
        return new CallResult(text.toString(), result.path("isError").asBoolean(false));
    }

    private JsonNode request(String method, JsonNode params, Duration timeout) throws McpException {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            ObjectNode message = Json.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("id", id).put("method", method);
            message.set("params", params);
            write(message);
            if (gone != null) {
                answer.completeExceptionally(new McpException(gone));
            }
            JsonNode response = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            JsonNode error = response.get("error");
            if (error != null && !error.isNull()) {
                throw new McpException("MCP server \"" + name + "\" refused " + method + ": "
                        + Text.shorten(error.path("message").asText(error.toString()), 300));
            }
            return response.path("result");
        } catch (TimeoutException e) {
            throw new McpException("MCP server \"" + name + "\" did not answer " + method + " within "
                    + timeout.toSeconds() + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof McpException mcp ? mcp
                    : new McpException("MCP server \"" + name + "\" failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new McpException("interrupted while waiting for MCP server \"" + name + "\"");
        } finally {
            pending.remove(id);
        }
    }

    private void notify(String method) throws McpException {
        write(Json.MAPPER.createObjectNode().put("jsonrpc", "2.0").put("method", method));
    }

    private synchronized void write(JsonNode message) throws McpException {
        try {
            stdin.write((message.toString() + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
        } catch (IOException e) {
            throw new McpException("MCP server \"" + name + "\" is not reading its input (" + e.getMessage()
                    + "); it has probably exited");
        }
    }

    /** Reads answers and hands each to its request; notifications and requests from the server are ignored. */
    private void readLoop() {
        try (InputStream out = process.getInputStream()) {
            LineReader lines = new LineReader(out);
            while (true) {
                String line = lines.next();
                if (line == null) {
                    break;
                }
                if (line.isBlank()) {
                    continue;
                }
                JsonNode message;
                try {
                    message = Json.MAPPER.readTree(line);
                } catch (IOException e) {
                    Log.warn("MCP server \"" + name + "\" wrote a line that is not JSON: " + Text.shorten(line, 200));
                    continue;
                }
                JsonNode id = message.get("id");
                if (id != null && id.canConvertToLong() && !message.has("method")) {
                    CompletableFuture<JsonNode> waiting = pending.get(id.asLong());
                    if (waiting != null) {
                        waiting.complete(message);
                    }
                }
            }
        } catch (LineTooLong e) {
            failAll("MCP server \"" + name + "\" wrote a line longer than " + MAX_LINE_CHARS + " characters");
            process.destroyForcibly();
            return;
        } catch (IOException | UncheckedIOException e) {
            // the stream closed under us: the server died or we closed it
        }
        String why;
        try {
            why = process.waitFor(2, TimeUnit.SECONDS) ? "exited with code " + process.exitValue() : "closed its output";
        } catch (InterruptedException e) {
            why = "closed its output";
        }
        failAll("MCP server \"" + name + "\" " + why);
    }

    private void failAll(String why) {
        gone = why;
        pending.values().forEach(f -> f.completeExceptionally(new McpException(why)));
    }

    @Override
    public void close() {
        try {
            stdin.close();
        } catch (IOException ignored) {
            // already gone
        }
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    static final class McpException extends Exception {
        McpException(String message) {
            super(message);
        }
    }

    private static final class LineTooLong extends IOException {}

    /** UTF-8 lines, each at most {@link #MAX_LINE_CHARS}. */
    private static final class LineReader {
        private final java.io.Reader reader;

        LineReader(InputStream in) {
            this.reader = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
        }

        String next() throws IOException {
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = reader.read()) != -1) {
                if (c == '\n') {
                    return line.toString();
                }
                if (line.length() >= MAX_LINE_CHARS) {
                    throw new LineTooLong();
                }
                line.append((char) c);
            }
            return line.isEmpty() ? null : line.toString();
        }
    }
}
