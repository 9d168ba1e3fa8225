package dev.claw4j.core.llm;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolSpec;
import dev.claw4j.protocol.Usage;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * The host's first model call paid for at start instead of by the first person to write: loading LangChain4j's
 * provider client, Jackson's (de)serializers and the JDK's HTTP client took 0.4–1.2 s of the first reply
 * (README, "Measured", cold first reply). One chat call of the configured provider goes to a loopback server in
 * this process that answers a canned reply in that provider's format; the real provider is never called, so no
 * key is sent anywhere and no tokens are spent. The TLS classes and the trust store a provider's https needs
 * are loaded by making (not sending) a ClientHello, and a turn's protocol messages are encoded and decoded once.
 */
final class ModelWarmUp {
    private static final String OPENAI = """
            {"id":"warm-up","object":"chat.completion","created":0,"model":"warm-up","choices":[{"index":0,\
            "message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],\
            "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";
    private static final String ANTHROPIC = """
            {"id":"warm-up","type":"message","role":"assistant","model":"warm-up","content":[{"type":"text",\
            "text":"ok"}],"stop_reason":"end_turn","usage":{"input_tokens":1,"output_tokens":1}}""";
    private static final String GEMINI = """
            {"candidates":[{"index":0,"finishReason":"STOP","content":{"role":"model","parts":[{"text":"ok"}]}}],\
            "usageMetadata":{"promptTokenCount":1,"candidatesTokenCount":1,"totalTokenCount":2}}""";
    private static final ToolSpec TOOL = new ToolSpec("warm_up", "a tool the warm-up declares",
            "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":\"string\"}},\"required\":[\"text\"]}");

    private ModelWarmUp() {
    }

    /** One canned call through a client of {@code settings}' provider; true when its answer was read. */
    static boolean run(ModelSettings settings) {
        loadTls();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            return false; // no loopback port: the first real call pays, as before
        }
        byte[] answer = (switch (settings.provider()) {
            case OPENAI -> OPENAI;
            case ANTHROPIC -> ANTHROPIC;
            case GEMINI -> GEMINI;
        }).getBytes(StandardCharsets.UTF_8);
        server.createContext("/", exchange -> answer(exchange, answer));
        server.start();
        try {
            // the provider and model of the real settings (the same LangChain4j classes), the rest the loopback's
            var loopback = new ModelSettings(settings.provider(), settings.name(), "warm-up",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/v1", 16, Duration.ofSeconds(10), 0,
                    settings.images());
            ModelReply reply = new LangChain4jModelClient(loopback).chat("warm-up", List.of(LlmMessage.user("hello")),
                    List.of(TOOL), 16);
            return reply != null;
        } catch (ModelException | RuntimeException e) {
            return false;
        } finally {
            server.stop(0);
        }
    }

    private static void answer(HttpExchange exchange, byte[] body) throws IOException {
        try (exchange) {
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
        }
    }

    /**
     * A turn's protocol messages encoded and decoded once, as the host does in every turn: the first turn.start
     * written took 0.1-0.3 s more than later ones (bench/run cold-reply).
     */
    static boolean protocolRoundTrip() {
        try {
            List<Decoded<?>> decoded = List.of(
                    JsonLines.decodeFromHost(JsonLines.encode(new HostMessage.TurnStart("warm-up", "warm-up", "warm-up",
                            List.of(new ChatMessage("warm-up", "hello", "2026-01-01T00:00:00Z")), null, false))),
                    JsonLines.decodeFromAgent(JsonLines.encode(new AgentMessage.Ready("warm-up", List.of("bash")))),
                    JsonLines.decodeFromAgent(JsonLines.encode(new AgentMessage.LlmRequest("warm-up", "warm-up",
                            "warm-up", List.of(LlmMessage.user("hello")), List.of(TOOL), 16))),
                    JsonLines.decodeFromHost(JsonLines.encode(new HostMessage.LlmResponse("warm-up",
                            LlmMessage.assistant("ok", List.of()), new Usage(1, 1), "end_turn"))),
                    JsonLines.decodeFromAgent(JsonLines.encode(new AgentMessage.TurnDone("warm-up", "ok",
                            new Usage(1, 1)))));
            return decoded.stream().allMatch(d -> d instanceof Decoded.Ok);
        } catch (RuntimeException e) {
            return false; // nothing is lost: the first turn pays, as before
        }
    }

    /** The default SSL context (the trust store read) and a ClientHello made, not sent: what https loads first. */
    private static void loadTls() {
        try {
            SSLEngine engine = SSLContext.getDefault().createSSLEngine("warm-up.invalid", 443);
            engine.setUseClientMode(true);
            engine.beginHandshake();
            engine.wrap(ByteBuffer.allocate(0), ByteBuffer.allocate(engine.getSession().getPacketBufferSize()));
        } catch (Exception e) {
            // nothing loaded: the first https call pays, as before
        }
    }
}
