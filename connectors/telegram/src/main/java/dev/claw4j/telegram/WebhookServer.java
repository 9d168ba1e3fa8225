package dev.claw4j.telegram;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.telegram.telegrambots.meta.api.objects.Update;

/**
 * Webhook mode: Telegram POSTs each update to us. A request must carry the secret we gave Telegram in
 * setWebhook ({@code X-Telegram-Bot-Api-Secret-Token}); without it the answer is 401 and a warning, since a
 * forged update would put words in a person's mouth. An update is answered 200 only once the host has stored
 * it; otherwise 500, and Telegram delivers it again.
 *
 * <p>On the JDK's HTTP server: telegrambots-webhook is not served by Maven Central, and this needs one route.
 * It speaks plain HTTP; Telegram calls only https, so a TLS reverse proxy sits in front (see README).
 */
final class WebhookServer implements AutoCloseable {
    static final String SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token";
    private static final Logger log = LoggerFactory.getLogger(WebhookServer.class);
    private static final int MAX_BODY = 1 << 20;

    private final ObjectMapper json = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final byte[] secret;
    private final Consumer<Update> handler;
    private final Consumer<String> onRefused;
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    WebhookServer(TelegramSettings settings, Consumer<Update> handler, Consumer<String> onRefused) throws IOException {
        this.secret = settings.webhookSecret().getBytes(StandardCharsets.UTF_8);
        this.handler = handler;
        this.onRefused = onRefused;
        this.server = HttpServer.create(new InetSocketAddress(settings.webhookBind(), settings.webhookPort()), 64);
        server.createContext(settings.webhookPath(), this::handle);
        server.setExecutor(executor);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!"POST".equals(exchange.getRequestMethod())) {
                answer(exchange, 405, "use POST");
                return;
            }
            String given = exchange.getRequestHeaders().getFirst(SECRET_HEADER);
            // constant-time comparison: the time to refuse must not tell how much of a guess was right
            if (given == null || !MessageDigest.isEqual(secret, given.getBytes(StandardCharsets.UTF_8))) {
                log.warn("telegram webhook: refused a request from {} with {} secret token (401); "
                                + "if this repeats, someone is forging updates or the secret changed",
                        exchange.getRemoteAddress(), given == null ? "no" : "a wrong");
                onRefused.accept("webhook request from " + exchange.getRemoteAddress() + " with "
                        + (given == null ? "no" : "a wrong") + " secret token (401)");
                answer(exchange, 401, "unauthorized");
                return;
            }
            Update update;
            try (InputStream in = exchange.getRequestBody()) {
                byte[] body = in.readNBytes(MAX_BODY + 1);
                if (body.length > MAX_BODY) {
                    answer(exchange, 413, "too large");
                    return;
                }
                update = json.readValue(body, Update.class);
            } catch (IOException e) {
                answer(exchange, 400, "not an update");
                return;
            }
            try {
                handler.accept(update);
            } catch (RuntimeException e) {
                log.error("telegram webhook: update {} could not be handed to the host ({}); Telegram will retry",
                        update.getUpdateId(), e.toString());
                answer(exchange, 500, "try again");
                return;
            }
            answer(exchange, 200, "ok");
        }
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
