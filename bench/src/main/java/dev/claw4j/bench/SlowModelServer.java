package dev.claw4j.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claw4j.app.demo.DemoModelServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A scripted OpenAI-compatible model with a realistic latency: the demo model's answers, each held back
 * {@code MEAN ± SPREAD} ms (uniform). Run in a process of its own by the load bench, so the host's CPU
 * figure is the host's alone. Prints its base URL on the first line of stdout, then serves until killed.
 *   java ... dev.claw4j.bench.SlowModelServer [MEAN_MS] [SPREAD_MS]
 */
public final class SlowModelServer {
    public static void main(String[] args) throws Exception {
        int mean = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int spread = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        DemoModelServer demo = new DemoModelServer(0, 1000).start(); // thousands of calls: keep only the last
        HttpClient http = HttpClient.newHttpClient();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        String target = demo.baseUrl().replaceFirst("/v1$", "");
        server.createContext("/", exchange -> relay(exchange, http, target, mean, spread));
        server.start();
        System.out.println("http://127.0.0.1:" + server.getAddress().getPort() + "/v1");
        System.out.flush();
        Thread.currentThread().join();
    }

    private static void relay(HttpExchange exchange, HttpClient http, String target, int mean, int spread)
            throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            long delay = mean - spread + ThreadLocalRandom.current().nextLong(2L * spread + 1);
            if (exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
                Thread.sleep(delay);
            }
            var request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                    .header("Content-Type", "application/json")
                    .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body)).build();
            HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
            exchange.getResponseBody().write(answer.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
