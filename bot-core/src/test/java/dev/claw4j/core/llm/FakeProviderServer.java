package dev.claw4j.core.llm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A loopback model provider for tests: answers each request with the next scripted reply (the last one
 * repeats) and records what it received, so tests can check what the real LangChain4j client sent.
 */
final class FakeProviderServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Reply(int status, Map<String, String> headers, String body) {
        static Reply json(String body) {
            return new Reply(200, Map.of("Content-Type", "application/json"), body);
        }

        static Reply status(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "application/json"), body);
        }
    }

    record Received(String method, String path, Headers headers, String body) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("the client sent no JSON: " + body, e);
            }
        }

        String header(String name) {
            return headers.getFirst(name);
        }
    }

    private final HttpServer server;
    private final Deque<Reply> script = new ArrayDeque<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();

    FakeProviderServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The base URL the way a user would configure it, e.g. http://127.0.0.1:1234/v1 */
    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    synchronized FakeProviderServer then(Reply reply) {
        script.addLast(reply);
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    Received last() {
        return received.getLast();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders(), body));
        Reply reply = next();
        byte[] bytes = reply.body().getBytes(StandardCharsets.UTF_8);
        reply.headers().forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        exchange.sendResponseHeaders(reply.status(), bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private synchronized Reply next() {
        if (script.isEmpty()) {
            return Reply.status(500, "{\"error\":{\"message\":\"nothing scripted\"}}");
        }
        return script.size() == 1 ? script.peekFirst() : script.pollFirst();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
