package dev.claw4j.slack;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/** A server that is not Slack, on loopback: counts every request, and those that carry an Authorization header. */
final class ForeignServer implements AutoCloseable {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger withAuthorization = new AtomicInteger();

    ForeignServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            try (ex) {
                requests.incrementAndGet();
                if (ex.getRequestHeaders().containsKey("Authorization")) {
                    withAuthorization.incrementAndGet();
                }
                byte[] body = "attacker's bytes".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/plain");
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
            }
        });
        server.start();
    }

    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    int port() {
        return server.getAddress().getPort();
    }

    int requests() {
        return requests.get();
    }

    int requestsWithAuthorization() {
        return withAuthorization.get();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
