package dev.claw4j.app.demo;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A scripted, OpenAI-compatible model on 127.0.0.1 for {@code ./claw4j demo}: claw4j's real OpenAI provider
 * talks to it through {@code model.baseUrl}, so the demo runs the whole path (host, sandbox, agent, gateway)
 * without a key. It also records every request body, so end-to-end tests can check what the model was told.
 * <p>
 * Script for {@code POST /v1/chat/completions}: after a tool result, show the output; after a user message
 * containing {@code run: <command>}, call the {@code bash} tool with that command; {@code tool: <name> <json>} calls
 * that tool with those arguments; "remind me every day at 9:00 to stretch" calls {@code schedule_task} (cron, UTC
 * unless a zone follows the time); a scheduled run's message ("[scheduled task #N, …] prompt") is answered with
 * "Reminder (task #N): prompt"; otherwise say what it is.
 */
public final class DemoModelServer implements AutoCloseable {
    public static final String MODEL = "claw4j-demo";
    private static final int MAX_BODY = 16 * 1024 * 1024;
    private static final Pattern RUN = Pattern.compile("(?:^|\\s)run:[ \\t]*(\\S[^\\n]*)");
    private static final Pattern SEND = Pattern.compile("(?:^|\\s)send:[ \\t]*(\\S[^\\n]*)");
    private static final Pattern TOOL = Pattern.compile("(?:^|\\s)tool:[ \\t]*([a-z_]+)[ \\t]*(\\{[^\\n]*\\})?");
    private static final Pattern REMIND = Pattern.compile(
            "remind me every day at (\\d{1,2}):(\\d{2})(?: ([A-Za-z_]+/[A-Za-z_]+))? to ([^\\n]+)", Pattern.CASE_INSENSITIVE);
    private static final Pattern SCHEDULED = Pattern.compile("\\[scheduled task #(\\d+)[^\\]]*\\]\\s*([^\\n]*)");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final int requestedPort;
    /**
     * How many requests are kept for {@link #rawRequests()}: all of them for tests (a security test must see every
     * one), the last 1,000 for the demo and the load bench, which make thousands (keeping them all grew the demo
     * host's heap by tens of KiB per model call, and made the load bench's model run out of memory after about
     * 2,000 calls).
     */
    private final int kept;
    private final java.util.Deque<String> rawRequests = new java.util.ArrayDeque<>();
    private final java.util.Deque<JsonNode> requests = new java.util.ArrayDeque<>();
    private final java.util.concurrent.atomic.AtomicInteger requestCount = new java.util.concurrent.atomic.AtomicInteger();
    private final AtomicLong ids = new AtomicLong();
    private HttpServer server;
    private ExecutorService executor;

    /** @param port the port to listen on; 0 takes any free one */
    public DemoModelServer(int port) {
        this(port, Integer.MAX_VALUE);
    }

    /** @param kept how many of the last requests {@link #rawRequests()} and {@link #requests()} keep */
    public DemoModelServer(int port, int kept) {
        this.requestedPort = port;
        this.kept = kept;
    }

    public synchronized DemoModelServer start() throws IOException {
        if (server != null) {
            return this;
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort), 0);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        return this;
    }

    /** What to put in {@code model.baseUrl}, e.g. {@code http://127.0.0.1:41234/v1}. */
    public String baseUrl() {
        if (server == null) {
            throw new IllegalStateException("the demo model server is not started");
        }
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** The last chat completion request bodies received (see the constructor), as text, in arrival order (also the ones refused). */
    public List<String> rawRequests() {
        synchronized (rawRequests) {
            return List.copyOf(rawRequests);
        }
    }

    /** The last request bodies that were JSON objects (see the constructor), parsed, in arrival order. */
    public List<JsonNode> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** Every request received, also those no longer kept. */
    public int requestCount() {
        return requestCount.get();
    }

    private <T> void keep(java.util.Deque<T> list, T item) {
        synchronized (list) {
            list.addLast(item);
            if (list.size() > kept) {
                list.removeFirst();
            }
        }
    }

    @Override
    public synchronized void close() {
        if (server != null) {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (RuntimeException e) {
            // A bug in the script must not look like a dropped connection to the client.
            send(exchange, 500, error("the demo model failed: " + e));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        if (path.equals("/v1/models") && exchange.getRequestMethod().equals("GET")) {
            ObjectNode list = JSON.createObjectNode().put("object", "list");
            list.putArray("data").addObject().put("id", MODEL).put("object", "model").put("owned_by", "claw4j");
            send(exchange, 200, list);
            return;
        }
        if (!path.equals("/v1/chat/completions")) {
            send(exchange, 404, error("no route " + path + "; the demo model serves POST /v1/chat/completions"));
            return;
        }
        if (!exchange.getRequestMethod().equals("POST")) {
            send(exchange, 405, error("use POST for /v1/chat/completions"));
            return;
        }
        byte[] body = readAtMost(exchange.getRequestBody(), MAX_BODY);
        if (body == null) {
            requestCount.incrementAndGet();
            keep(rawRequests, "(body over " + MAX_BODY + " bytes)");
            send(exchange, 413, error("request body is larger than " + MAX_BODY + " bytes"));
            return;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        requestCount.incrementAndGet();
        keep(rawRequests, text);
        JsonNode request;
        try {
            request = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            send(exchange, 400, error("the request body is not JSON"));
            return;
        }
        if (request == null || !request.isObject()) {
            send(exchange, 400, error("the request body must be a JSON object"));
            return;
        }
        keep(requests, request);
        if (!request.path("messages").isArray() || request.path("messages").isEmpty()) {
            send(exchange, 400, error("'messages' must be a non-empty array"));
            return;
        }
        if (request.path("stream").asBoolean(false)) {
            send(exchange, 400, error("the demo model does not stream; send \"stream\": false"));
            return;
        }
        send(exchange, 200, answer(request, text.length()));
    }

    private ObjectNode answer(JsonNode request, int requestChars) {
        JsonNode messages = request.get("messages");
        JsonNode last = messages.get(messages.size() - 1);
        ObjectNode message = JSON.createObjectNode().put("role", "assistant");
        String finishReason = "stop";
        String said;
        if ("tool".equals(last.path("role").asText())) {
            said = "Here is what `" + commandOf(messages, last.path("tool_call_id").asText()) + "` printed:\n```\n"
                    + stripTrailingNewlines(text(last.path("content"))) + "\n```";
            message.put("content", said);
        } else {
            String userText = lastUserText(messages);
            Matcher run = RUN.matcher(userText);
            Matcher send = SEND.matcher(userText);
            Matcher tool = TOOL.matcher(userText);
            Matcher remind = REMIND.matcher(userText);
            Matcher scheduled = SCHEDULED.matcher(userText);
            if (tool.find()) {
                said = tool.group(1);
                ObjectNode args;
                try {
                    args = tool.group(2) == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(tool.group(2));
                } catch (JsonProcessingException | ClassCastException e) {
                    args = JSON.createObjectNode();
                }
                toolCall(message, said, args);
                finishReason = "tool_calls";
            } else if (remind.find()) {
                said = remind.group(4).strip();
                toolCall(message, "schedule_task", JSON.createObjectNode().put("prompt", said)
                        .put("cron", Integer.parseInt(remind.group(2)) + " " + Integer.parseInt(remind.group(1)) + " * * *")
                        .put("timezone", remind.group(3) == null ? "UTC" : remind.group(3)));
                finishReason = "tool_calls";
            } else if (run.find()) {
                said = run.group(1).strip();
                toolCall(message, "bash", JSON.createObjectNode().put("command", said));
                finishReason = "tool_calls";
            } else if (send.find()) {
                said = send.group(1).strip();
                toolCall(message, "send_file", JSON.createObjectNode().put("path", said).put("caption", said));
                finishReason = "tool_calls";
            } else if (scheduled.find()) {
                said = "Reminder (task #" + scheduled.group(1) + "): " + scheduled.group(2).strip();
                message.put("content", said);
            } else {
                said = plainAnswer(userText);
                message.put("content", said);
            }
        }
        ObjectNode root = JSON.createObjectNode()
                .put("id", "chatcmpl-demo-" + ids.incrementAndGet())
                .put("object", "chat.completion")
                .put("created", Instant.now().getEpochSecond())
                .put("model", request.path("model").asText(MODEL));
        root.putArray("choices").addObject().put("index", 0).put("finish_reason", finishReason).set("message", message);
        // Rough but plausible: about four characters per token.
        long in = Math.max(1, requestChars / 4);
        long out = Math.max(1, said.length() / 4);
        root.putObject("usage").put("prompt_tokens", in).put("completion_tokens", out).put("total_tokens", in + out);
        return root;
    }

    private static String plainAnswer(String userText) {
        String echo = userText.strip().replaceAll("\\s+", " ");
        if (echo.length() > 200) {
            echo = echo.substring(0, 200) + "…";
        }
        return "Hi! I am claw4j's scripted demo model, not a real AI, so my answers are canned.\n"
                + (echo.isEmpty() ? "" : "You said: \"" + echo + "\"\n")
                + "Try `@claw run: ls -la` and I will run that command in this chat's sandbox.\n"
                + "For a real model, set model.provider, model.name and model.apiKey in config/claw4j.yaml"
                + " (Anthropic, OpenAI, or any OpenAI-compatible server such as Ollama via model.baseUrl).";
    }

    private static String lastUserText(JsonNode messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).path("role").asText())) {
                return text(messages.get(i).path("content"));
            }
        }
        return "";
    }

    /** The command of the bash call a tool result answers, found by its call id among the earlier messages. */
    private void toolCall(ObjectNode message, String tool, ObjectNode arguments) {
        ObjectNode call = message.putNull("content").putArray("tool_calls").addObject()
                .put("id", "call_demo_" + ids.incrementAndGet()).put("type", "function");
        call.putObject("function").put("name", tool).put("arguments", arguments.toString());
    }

    /** What the tool call was about: a bash command, or the path of a file sent. */
    private static String commandOf(JsonNode messages, String callId) {
        for (JsonNode m : messages) {
            for (JsonNode call : m.path("tool_calls")) {
                if (call.path("id").asText().equals(callId)) {
                    try {
                        JsonNode args = JSON.readTree(call.path("function").path("arguments").asText());
                        String command = args.path("command").asText(args.path("path").asText(""));
                        return command.isEmpty() ? "the command" : command;
                    } catch (JsonProcessingException e) {
                        return "the command";
                    }
                }
            }
        }
        return "the command";
    }

    /** Message content is a string or a list of parts ({"type": "text", "text": ...}). */
    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder out = new StringBuilder();
        for (JsonNode part : content) {
            out.append(part.path("text").asText(""));
        }
        return out.toString();
    }

    private static String stripTrailingNewlines(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }

    private static ObjectNode error(String message) {
        ObjectNode root = JSON.createObjectNode();
        root.putObject("error").put("message", message).put("type", "invalid_request_error")
                .putNull("param").putNull("code");
        return root;
    }

    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        byte[] bytes = in.readNBytes(limit + 1);
        return bytes.length > limit ? null : bytes;
    }

    private static void send(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
