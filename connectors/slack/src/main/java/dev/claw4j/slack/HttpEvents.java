package dev.claw4j.slack;

import com.slack.api.app_backend.SlackSignature;
import com.slack.api.bolt.App;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.util.JavalinBindException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP Events API mode: Slack POSTs events to {@code path}. Every request's signature is checked here first
 * (a forged or replayed request gets 401 and a warning, and never reaches Bolt), then Bolt runs it; the event
 * handlers answer 200 only once the message is stored (see {@link SlackConnector}). Bolt's own bolt-jetty is
 * not published for this SDK version, hence Javalin and Bolt's request parser.
 */
final class HttpEvents implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HttpEvents.class);

    private final SlackSettings settings;
    private final App app;
    private final SlackRequestParser parser;
    private final SlackSignature.Verifier verifier;
    private Javalin server;

    private final java.util.function.Consumer<String> onRefused;

    HttpEvents(SlackSettings settings, App app, java.util.function.Consumer<String> onRefused) {
        this.onRefused = onRefused;
        this.settings = settings;
        this.app = app;
        this.parser = new SlackRequestParser(app.config());
        this.verifier = new SlackSignature.Verifier(new SlackSignature.Generator(settings.signingSecret()));
    }

    void start() {
        Javalin created = Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.jetty.port = settings.port();
            config.routes.post(settings.path(), this::handle);
        });
        try {
            created.start();
        } catch (JavalinBindException e) {
            created.stop();
            throw new IllegalStateException("slack: port " + settings.port() + " is in use; set connectors.slack.port "
                    + "to a free port", e);
        }
        server = created;
        log.info("slack: listening for Events API requests on port {} at {}", server.port(), settings.path());
    }

    int port() {
        return server.port();
    }

    private void handle(Context ctx) throws Exception {
        String body = ctx.body();
        String timestamp = ctx.header(SlackSignature.HeaderNames.X_SLACK_REQUEST_TIMESTAMP);
        String signature = ctx.header(SlackSignature.HeaderNames.X_SLACK_SIGNATURE);
        if (timestamp == null || signature == null || !verifier.isValid(timestamp, body, signature)) {
            log.warn("slack: refused a request to {} from {}: {} (forged, replayed or signed with another secret; "
                            + "check connectors.slack.signingSecret if this repeats)", ctx.path(), ctx.ip(),
                    signature == null || timestamp == null ? "unsigned"
                            : SlackSignature.TimestampVerifier.isValidTimestamp(timestamp) ? "bad signature"
                            : "timestamp older than 5 minutes");
            onRefused.accept("Events API request from " + ctx.ip() + ": " + (signature == null || timestamp == null
                    ? "unsigned" : SlackSignature.TimestampVerifier.isValidTimestamp(timestamp) ? "bad signature"
                    : "timestamp older than 5 minutes") + " (401)");
            ctx.status(401).json(Map.of("error", "invalid request signature"));
            return;
        }
        String retry = ctx.header("X-Slack-Retry-Num");
        if (retry != null) {
            // Slack re-sends when our ack was late, lost or withheld; the host stores a message once.
            log.info("slack: retry {} of an event ({})", retry, ctx.header("X-Slack-Retry-Reason"));
        }
        Map<String, List<String>> headers = new HashMap<>();
        ctx.headerMap().forEach((name, value) -> headers.put(name, List.of(value)));
        SlackRequestParser.HttpRequest raw = SlackRequestParser.HttpRequest.builder()
                .requestUri(ctx.path())
                .queryString(ctx.queryParamMap())
                .headers(new RequestHeaders(headers))
                .requestBody(body)
                .remoteAddress(ctx.ip())
                .build();
        Response response;
        try {
            response = app.run(parser.parse(raw));
        } catch (Exception e) {
            NotStored notStored = NotStored.in(e);
            if (notStored == null) {
                throw e;
            }
            log.warn(notStored.getMessage());
            ctx.status(notStored.status()).result("not stored; send it again");
            return;
        }
        ctx.status(response.getStatusCode());
        if (response.getHeaders() != null) {
            response.getHeaders().forEach((name, values) -> values.forEach(v -> ctx.header(name, v)));
        }
        if (response.getContentType() != null) {
            ctx.contentType(response.getContentType());
        }
        ctx.result(response.getBody() == null ? "" : response.getBody());
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop();
        }
    }
}
