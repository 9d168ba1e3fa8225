package dev.claw4j.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.slack.api.app_backend.SlackSignature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * A wire-level fake of Slack on loopback, so the real Bolt and the real Slack SDK are exercised: the Web API
 * methods the connector uses (form or JSON POSTs to /api/&lt;method&gt;, answered with Slack's JSON), private
 * file downloads, the upload URL of the current upload API, and a Socket Mode WebSocket that sends
 * {@code hello} and {@code events_api} envelopes and records the client's acks. For HTTP mode it signs and
 * posts event requests the way Slack does.
 *
 * <p>Tokens are checked like Slack does: a wrong bot token gets {@code invalid_auth}.
 */
public final class FakeSlack implements AutoCloseable {
    public static final String BOT_TOKEN = "xoxb-fake-bot-token";
    public static final String APP_TOKEN = "xapp-fake-app-token";
    public static final String SIGNING_SECRET = "fake-signing-secret";
    public static final String BOT_USER = "UBOT";
    public static final String TEAM = "T0FAKE";

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One Web API call as Slack received it. */
    public record Call(String method, Map<String, String> params, String token) {
        public String param(String name) {
            return params.get(name);
        }
    }

    /** A message the bot posted. */
    public record Posted(String channel, String threadTs, String text, String ts) {}

    /** A file the bot uploaded and shared. */
    public record Upload(String fileId, String title, byte[] bytes, String channel, String threadTs, String comment) {}

    private record Failure(int status, String error, int retryAfterSeconds) {}

    private final HttpServer api;
    private final Sockets sockets;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final List<Posted> posted = new CopyOnWriteArrayList<>();
    /** chat.update calls, in order, with when they came. */
    private final List<Update> updates = new CopyOnWriteArrayList<>();
    /** When each message was posted, by ts. */
    private final Map<String, java.time.Instant> postedAt = new ConcurrentHashMap<>();

    public record Update(String channel, String ts, String text, java.time.Instant at) {}
    /** The bot's messages still there ("channel:ts" → text), after updates and deletes. */
    private final Map<String, String> live = new ConcurrentHashMap<>();
    private final List<Upload> uploads = new CopyOnWriteArrayList<>();
    private final List<String> reactions = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> uploadedBytes = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> users = new ConcurrentHashMap<>();
    private final Map<String, String> channels = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, List<Failure>> failures = new ConcurrentHashMap<>();
    private final Map<String, List<String>> garbled = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final AtomicLong clock = new AtomicLong(1_700_000_000_000L);
    private final AtomicInteger ids = new AtomicInteger();

    public FakeSlack() throws IOException {
        api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        api.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        api.createContext("/api/", this::api);
        api.createContext("/files/", this::download);
        api.createContext("/upload/", this::upload);
        api.start();
        sockets = new Sockets();
        sockets.start();
        try {
            if (!sockets.started.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("fake Socket Mode server did not start");
            }
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- set-up ----

    /** The Web API base to configure as connectors.slack.apiUrl. */
    public String apiUrl() {
        return "http://127.0.0.1:" + api.getAddress().getPort() + "/api/";
    }

    public FakeSlack user(String id, String displayName) {
        ObjectNode u = JSON.createObjectNode().put("id", id).put("name", displayName.toLowerCase())
                .put("real_name", displayName + " Real");
        u.putObject("profile").put("display_name", displayName).put("real_name", displayName + " Real");
        users.put(id, u);
        return this;
    }

    public FakeSlack channel(String id, String name) {
        channels.put(id, name);
        return this;
    }

    /** A file a person shares; returns the JSON of the file object to put into a message event. */
    public ObjectNode file(String id, String name, String mimeType, byte[] content) {
        files.put(id, content);
        String url = "http://127.0.0.1:" + api.getAddress().getPort() + "/files/" + id + "/" + name;
        return JSON.createObjectNode().put("id", id).put("name", name).put("title", name).put("mimetype", mimeType)
                .put("size", content.length).put("url_private", url).put("url_private_download", url + "?download=1");
    }

    /**
     * A file whose download link is on this fake but answers 302 to {@code target}, as a compromised or
     * misbehaving file host would; returns the file object like {@link #file}.
     */
    public ObjectNode redirectingFile(String id, String name, String mimeType, String target) {
        redirects.put(id, target);
        return file(id, name, mimeType, new byte[0]);
    }

    /**
     * The next {@code times} calls of {@code method} are carried out (a message is really posted), but answered
     * with HTTP 200 and {@code body} instead of Slack's JSON: an answer the SDK cannot read.
     */
    public void garbleNext(String method, int times, String body) {
        List<String> list = garbled.computeIfAbsent(method, m -> Collections.synchronizedList(new ArrayList<>()));
        for (int i = 0; i < times; i++) {
            list.add(body);
        }
    }

    /** The next {@code times} calls of {@code method} fail with this HTTP status (429: with Retry-After). */
    public void failNext(String method, int times, int status, int retryAfterSeconds) {
        List<Failure> list = failures.computeIfAbsent(method, m -> Collections.synchronizedList(new ArrayList<>()));
        for (int i = 0; i < times; i++) {
            list.add(new Failure(status, status == 429 ? "ratelimited" : "fatal_error", retryAfterSeconds));
        }
    }

    /** The next {@code times} calls of {@code method} are answered normally (then queued failures follow). */
    public void passNext(String method, int times) {
        List<Failure> list = failures.computeIfAbsent(method, m -> Collections.synchronizedList(new ArrayList<>()));
        for (int i = 0; i < times; i++) {
            list.add(null);
        }
    }

    /** The next {@code times} calls of {@code method} answer 200 with ok=false and this error. */
    public void errorNext(String method, int times, String error) {
        List<Failure> list = failures.computeIfAbsent(method, m -> Collections.synchronizedList(new ArrayList<>()));
        for (int i = 0; i < times; i++) {
            list.add(new Failure(200, error, 0));
        }
    }

    // ---- what Slack saw ----

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    public List<Update> updates() {
        return List.copyOf(updates);
    }

    public java.time.Instant postedAt(String ts) {
        return postedAt.get(ts);
    }

    public Map<String, String> liveMessages() {
        return Map.copyOf(live);
    }

    public List<Posted> posted() {
        return List.copyOf(posted);
    }

    public List<Posted> posted(String channel, String threadTs) {
        return posted.stream().filter(p -> p.channel().equals(channel) && java.util.Objects.equals(p.threadTs(), threadTs))
                .toList();
    }

    public List<Upload> uploads() {
        return List.copyOf(uploads);
    }

    /** "+eyes C1 1.000100" for an added reaction, "-eyes C1 1.000100" for a removed one, in order. */
    public List<String> reactions() {
        return List.copyOf(reactions);
    }

    /** Acks received over Socket Mode, by envelope id. */
    public List<String> acks() {
        return List.copyOf(sockets.acks);
    }

    // ---- events ----

    /** A fresh message timestamp, like Slack's "1700000000.000100". */
    public String nextTs() {
        long micros = clock.addAndGet(1_000) * 1000;
        return String.format("%d.%06d", micros / 1_000_000, micros % 1_000_000);
    }

    public static ObjectNode appMention(String channel, String user, String text, String ts, String threadTs) {
        ObjectNode e = JSON.createObjectNode().put("type", "app_mention").put("user", user).put("text", text)
                .put("ts", ts).put("channel", channel).put("event_ts", ts);
        if (threadTs != null) {
            e.put("thread_ts", threadTs);
        }
        return e;
    }

    public static ObjectNode message(String channel, String channelType, String user, String text, String ts,
                                     String threadTs) {
        ObjectNode e = JSON.createObjectNode().put("type", "message").put("channel", channel).put("user", user)
                .put("text", text).put("ts", ts).put("event_ts", ts).put("channel_type", channelType);
        if (threadTs != null) {
            e.put("thread_ts", threadTs);
        }
        return e;
    }

    /** The event_callback body Slack sends for an event (same shape over HTTP and inside envelopes). */
    public static String callback(JsonNode event, String eventId) {
        ObjectNode body = JSON.createObjectNode().put("token", "legacy-verification-token").put("team_id", TEAM)
                .put("api_app_id", "A0FAKE").put("type", "event_callback").put("event_id", eventId)
                .put("event_time", Instant.now().getEpochSecond());
        body.set("event", event);
        body.putArray("authorizations").addObject().put("team_id", TEAM).put("user_id", BOT_USER).put("is_bot", true);
        return body.toString();
    }

    /** Sends an events_api envelope over Socket Mode; returns its envelope id. */
    public String sendEvent(JsonNode event) {
        return sendEvent(event, "Ev" + ids.incrementAndGet(), 0);
    }

    /** Sends an event with a given event id and retry attempt (a redelivery repeats both). */
    public String sendEvent(JsonNode event, String eventId, int retryAttempt) {
        String envelopeId = "env-" + ids.incrementAndGet();
        ObjectNode envelope = JSON.createObjectNode().put("envelope_id", envelopeId).put("type", "events_api")
                .put("accepts_response_payload", false).put("retry_attempt", retryAttempt)
                .put("retry_reason", retryAttempt > 0 ? "timeout" : "");
        try {
            envelope.set("payload", JSON.readTree(callback(event, eventId)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sockets.send(envelope.toString());
        return envelopeId;
    }

    /** Waits until a Socket Mode client has connected and got its hello. */
    public void awaitSocketClient(Duration timeout) throws InterruptedException {
        if (!sockets.connected.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("no Socket Mode client connected within " + timeout);
        }
    }

    /** How many Socket Mode connections were opened so far. */
    public int socketConnections() {
        return sockets.connections.get();
    }

    /** Posts an event request as Slack does in HTTP mode, signed with {@code secret} at {@code timestamp}. */
    public static HttpResponse<String> postSigned(URI url, String body, String secret, Instant timestamp,
                                                  Integer retryNum) throws IOException, InterruptedException {
        String ts = String.valueOf(timestamp.getEpochSecond());
        String signature = new SlackSignature.Generator(secret).generate(ts, body);
        HttpRequest.Builder request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .header(SlackSignature.HeaderNames.X_SLACK_REQUEST_TIMESTAMP, ts)
                .header(SlackSignature.HeaderNames.X_SLACK_SIGNATURE, signature)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (retryNum != null) {
            request.header("X-Slack-Retry-Num", retryNum.toString()).header("X-Slack-Retry-Reason", "http_timeout");
        }
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    // ---- the Web API ----

    private void api(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestURI().getPath().substring("/api/".length());
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> params = params(ex, body);
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String token = auth != null && auth.startsWith("Bearer ") ? auth.substring(7) : params.get("token");
            calls.add(new Call(method, params, token));

            Failure failure = nextFailure(method);
            if (failure != null) {
                if (failure.retryAfterSeconds() > 0) {
                    ex.getResponseHeaders().add("Retry-After", String.valueOf(failure.retryAfterSeconds()));
                }
                respond(ex, failure.status(), error(failure.error()));
                return;
            }
            String expected = method.equals("apps.connections.open") ? APP_TOKEN : BOT_TOKEN;
            if (token == null) {
                respond(ex, 200, error("not_authed"));
                return;
            }
            if (!token.equals(expected)) {
                respond(ex, 200, error("invalid_auth"));
                return;
            }
            ObjectNode answer = answer(method, params);
            String garbage = nextGarbled(method);
            if (garbage != null) {
                byte[] bytes = garbage.getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
                ex.sendResponseHeaders(200, bytes.length == 0 ? -1 : bytes.length);
                ex.getResponseBody().write(bytes);
                return;
            }
            respond(ex, 200, answer);
        }
    }

    private String nextGarbled(String method) {
        List<String> list = garbled.get(method);
        if (list == null) {
            return null;
        }
        synchronized (list) {
            return list.isEmpty() ? null : list.removeFirst();
        }
    }

    private ObjectNode answer(String method, Map<String, String> p) {
        ObjectNode ok = JSON.createObjectNode().put("ok", true);
        switch (method) {
            case "auth.test" -> ok.put("url", "https://fake.slack.com/").put("team", "Fake").put("user", "claw")
                    .put("team_id", TEAM).put("user_id", BOT_USER).put("bot_id", "B0FAKE");
            case "apps.connections.open" -> ok.put("url", "ws://127.0.0.1:" + sockets.getPort() + "/link/?ticket=t1");
            case "chat.postMessage" -> {
                if (!channelExists(p.get("channel"))) {
                    return error("channel_not_found");
                }
                String ts = nextTs();
                posted.add(new Posted(p.get("channel"), p.get("thread_ts"), p.get("text"), ts));
                live.put(p.get("channel") + ":" + ts, p.get("text"));
                postedAt.put(ts, java.time.Instant.now());
                ok.put("channel", p.get("channel")).put("ts", ts);
                ok.putObject("message").put("text", p.get("text")).put("ts", ts).put("user", BOT_USER);
            }
            case "chat.update" -> {
                String key = p.get("channel") + ":" + p.get("ts");
                if (!live.containsKey(key)) {
                    return error("message_not_found");
                }
                live.put(key, p.get("text"));
                updates.add(new Update(p.get("channel"), p.get("ts"), p.get("text"), java.time.Instant.now()));
                ok.put("channel", p.get("channel")).put("ts", p.get("ts")).put("text", p.get("text"));
            }
            case "chat.delete" -> {
                if (live.remove(p.get("channel") + ":" + p.get("ts")) == null) {
                    return error("message_not_found");
                }
                ok.put("channel", p.get("channel")).put("ts", p.get("ts"));
            }
            case "reactions.add", "reactions.remove" -> reactions.add((method.endsWith("add") ? "+" : "-")
                    + p.get("name") + " " + p.get("channel") + " " + p.get("timestamp"));
            case "users.info" -> {
                ObjectNode u = users.get(p.get("user"));
                if (u == null) {
                    return error("user_not_found");
                }
                ok.set("user", u);
            }
            case "conversations.info" -> {
                String name = channels.get(p.get("channel"));
                if (name == null) {
                    return error("channel_not_found");
                }
                ok.putObject("channel").put("id", p.get("channel")).put("name", name).put("is_channel", true);
            }
            case "files.getUploadURLExternal" -> {
                String id = "F" + ids.incrementAndGet();
                ok.put("upload_url", "http://127.0.0.1:" + api.getAddress().getPort() + "/upload/" + id + "?name="
                        + p.get("filename")).put("file_id", id);
            }
            case "files.completeUploadExternal" -> {
                try {
                    ArrayNode list = ok.putArray("files");
                    for (JsonNode f : JSON.readTree(p.get("files"))) {
                        String id = f.path("id").asText();
                        byte[] bytes = uploadedBytes.get(id);
                        if (bytes == null) {
                            return error("file_not_found"); // completed without uploading the bytes first
                        }
                        uploads.add(new Upload(id, f.path("title").asText(null), bytes, p.get("channel_id"),
                                p.get("thread_ts"), p.get("initial_comment")));
                        list.addObject().put("id", id).put("title", f.path("title").asText());
                    }
                } catch (IOException e) {
                    return error("invalid_arguments");
                }
            }
            default -> {
                return error("unknown_method");
            }
        }
        return ok;
    }

    private boolean channelExists(String channel) {
        return channel != null && !channel.startsWith("CGONE");
    }

    private Failure nextFailure(String method) {
        List<Failure> list = failures.get(method);
        if (list == null) {
            return null;
        }
        synchronized (list) {
            return list.isEmpty() ? null : list.removeFirst();
        }
    }

    private void download(HttpExchange ex) throws IOException {
        try (ex) {
            String id = ex.getRequestURI().getPath().split("/")[2];
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            String redirect = redirects.get(id);
            if (redirect != null) {
                ex.getResponseHeaders().add("Location", redirect);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            byte[] content = files.get(id);
            if (!("Bearer " + BOT_TOKEN).equals(auth) || content == null) {
                // what Slack really does without a valid token: its sign-in page, with 200
                byte[] page = "<html><body>Sign in to Slack</body></html>".getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
                ex.sendResponseHeaders(200, page.length);
                ex.getResponseBody().write(page);
                return;
            }
            ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
            ex.sendResponseHeaders(200, content.length);
            ex.getResponseBody().write(content);
        }
    }

    private void upload(HttpExchange ex) throws IOException {
        try (ex) {
            String id = ex.getRequestURI().getPath().substring("/upload/".length());
            byte[] bytes = ex.getRequestBody().readAllBytes();
            uploadedBytes.put(id, bytes);
            byte[] answer = ("OK - " + bytes.length).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, answer.length);
            ex.getResponseBody().write(answer);
        }
    }

    private static Map<String, String> params(HttpExchange ex, String body) throws IOException {
        Map<String, String> params = new LinkedHashMap<>();
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        if (type != null && type.startsWith("application/json")) {
            JSON.readTree(body).properties().forEach(e -> params.put(e.getKey(),
                    e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString()));
            return params;
        }
        String query = ex.getRequestURI().getRawQuery();
        for (String source : new String[] {query, body}) {
            if (source == null || source.isEmpty()) {
                continue;
            }
            for (String pair : source.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.put(key, value);
            }
        }
        return params;
    }

    private static ObjectNode error(String error) {
        return JSON.createObjectNode().put("ok", false).put("error", error);
    }

    private static void respond(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    // ---- Socket Mode ----

    private static final class Sockets extends WebSocketServer {
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch connected = new CountDownLatch(1);
        final List<String> acks = new CopyOnWriteArrayList<>();
        final AtomicInteger connections = new AtomicInteger();
        volatile WebSocket latest;

        Sockets() {
            super(new InetSocketAddress("127.0.0.1", 0));
            setReuseAddr(true);
        }

        void send(String text) {
            WebSocket conn = latest;
            if (conn == null || !conn.isOpen()) {
                throw new IllegalStateException("no Socket Mode client is connected");
            }
            // Slack sends each envelope over one of the app's connections; the newest is the live one
            conn.send(text);
        }

        @Override
        public void onOpen(WebSocket conn, ClientHandshake handshake) {
            latest = conn;
            conn.send("{\"type\":\"hello\",\"num_connections\":1,\"debug_info\":{\"host\":\"fake\"},"
                    + "\"connection_info\":{\"app_id\":\"A0FAKE\"}}");
            connections.incrementAndGet();
            connected.countDown();
        }

        @Override
        public void onClose(WebSocket conn, int code, String reason, boolean remote) {
            // nothing to forget: 'latest' is replaced by the next client
        }

        @Override
        public void onMessage(WebSocket conn, String message) {
            try {
                JsonNode ack = JSON.readTree(message);
                if (ack.has("envelope_id")) {
                    acks.add(ack.get("envelope_id").asText());
                }
            } catch (IOException e) {
                // not JSON: ignore, as Slack would close the connection eventually
            }
        }

        @Override
        public void onError(WebSocket conn, Exception ex) {
            // a client going away mid-test is normal
        }

        @Override
        public void onStart() {
            started.countDown();
        }
    }

    @Override
    public void close() {
        api.stop(0);
        try {
            sockets.stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
