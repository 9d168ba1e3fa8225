package dev.claw4j.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebConnectorTest {
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final RecordingInbox inbox = new RecordingInbox();
    private WebConnector connector;
    private String base;
    private String token;

    @TempDir
    Path data;

    @BeforeEach
    void start() throws IOException {
        connector = new WebConnector(new WebSettings(null, 0, null, data));
        connector.start(inbox);
        base = "http://127.0.0.1:" + connector.port();
        token = Files.readString(data.resolve("web-token")).strip();
    }

    @AfterEach
    void stop() {
        connector.close();
    }

    @Test
    void postInDmRoomIsDirectAndAccepted() throws Exception {
        HttpResponse<String> res = post("dm-ana", "{\"user\": \"ana\", \"text\": \"hello there\"}");

        assertThat(res.statusCode()).isEqualTo(202);
        JsonNode body = json.readTree(res.body());
        assertThat(body.get("id").asLong()).isEqualTo(1);
        assertThat(body.get("duplicate").asBoolean()).isFalse();
        assertThat(body.get("addressed").asBoolean()).isTrue();

        InboundMessage m = inbox.received.getFirst();
        assertThat(m.platform()).isEqualTo("web");
        assertThat(m.chatId()).isEqualTo("dm-ana");
        assertThat(m.threadId()).isNull();
        // the typed name is the label; the id is this client's (see WebSenders), and the answer tells it
        assertThat(m.senderName()).isEqualTo("ana");
        assertThat(m.senderId()).matches("[0-9a-f]{24}");
        assertThat(body.get("sender").asText()).isEqualTo("web:" + m.senderId());
        assertThat(m.text()).isEqualTo("hello there");
        assertThat(m.kind()).isEqualTo(ChatKind.DIRECT);
        assertThat(m.mentionsBot()).isFalse();
        assertThat(m.platformMessageId()).isNotBlank();
    }

    @Test
    void groupRoomDetectsMentionAsAWordCaseInsensitively() throws Exception {
        post("general", "{\"user\": \"bo\", \"text\": \"hey @Claw, what's up?\"}");
        post("general", "{\"user\": \"bo\", \"text\": \"no mention of claw here\"}");
        post("general", "{\"user\": \"bo\", \"text\": \"@clawdia is someone else\"}");
        post("general", "{\"user\": \"bo\", \"text\": \"mail me@claw please\"}");

        assertThat(inbox.received).extracting(InboundMessage::kind).containsOnly(ChatKind.GROUP);
        assertThat(inbox.received).extracting(InboundMessage::mentionsBot).containsExactly(true, false, false, false);
        // Each message without a client id gets its own fresh platform id.
        assertThat(inbox.received).extracting(InboundMessage::platformMessageId).doesNotHaveDuplicates();
    }

    @Test
    void clientGivenIdIsPassedThroughSoARetryIsDeduplicated() throws Exception {
        String body = "{\"user\": \"ana\", \"text\": \"once\", \"id\": \"c-42\"}";
        JsonNode first = json.readTree(post("dm-ana", body).body());
        JsonNode retry = json.readTree(post("dm-ana", body).body());

        assertThat(inbox.received).extracting(InboundMessage::platformMessageId).containsExactly("c-42", "c-42");
        assertThat(first.get("duplicate").asBoolean()).isFalse();
        assertThat(retry.get("duplicate").asBoolean()).isTrue();
        assertThat(retry.get("id").asLong()).isEqualTo(first.get("id").asLong());
    }

    @Test
    void historyIsServedAsJson() throws Exception {
        Instant at = Instant.parse("2025-01-02T03:04:05Z");
        inbox.history.put("general", List.of(
                new ChatLine(1, "in", "ana", "hi @claw", "DONE", at),
                new ChatLine(2, "out", "claw", "hello\n```\ncode\n```", "DELIVERED", at.plusSeconds(3))));

        HttpResponse<String> res = get("/api/chats/general/messages");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        JsonNode lines = json.readTree(res.body());
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("id").asLong()).isEqualTo(1);
        assertThat(lines.get(0).get("direction").asText()).isEqualTo("in");
        assertThat(lines.get(0).get("sender").asText()).isEqualTo("ana");
        assertThat(lines.get(0).get("status").asText()).isEqualTo("DONE");
        assertThat(lines.get(0).get("at").asText()).isEqualTo("2025-01-02T03:04:05Z");
        assertThat(lines.get(1).get("direction").asText()).isEqualTo("out");
        assertThat(lines.get(1).get("text").asText()).isEqualTo("hello\n```\ncode\n```");
        assertThat(json.readTree(get("/api/chats/empty-room/messages").body())).isEmpty();
    }

    @Test
    void badRequestsGet400WithAnExplanation() throws Exception {
        assertBadRequest(post("bad.name", "{\"user\": \"ana\", \"text\": \"hi\"}"), "chat name");
        assertBadRequest(post("-starts-with-dash", "{\"user\": \"ana\", \"text\": \"hi\"}"), "chat name");
        assertBadRequest(post("x".repeat(65), "{\"user\": \"ana\", \"text\": \"hi\"}"), "chat name");
        assertBadRequest(get("/api/chats/bad%20name/messages"), "chat name");
        assertBadRequest(post("general", "{\"user\": \"ana\"}"), "'text'");
        assertBadRequest(post("general", "{\"user\": \"ana\", \"text\": 5}"), "'text'");
        assertBadRequest(post("general", "{\"text\": \"hi\"}"), "'user'");
        assertBadRequest(post("general", "{\"user\": \"" + "u".repeat(65) + "\", \"text\": \"hi\"}"), "'user'");
        assertBadRequest(post("general", "user=ana&text=hi"), "JSON");
        assertBadRequest(post("general", ""), "JSON");
        assertBadRequest(post("general", "[1, 2]"), "JSON");
        assertBadRequest(post("general", "{\"user\": \"ana\", \"text\": \"" + "a".repeat(16_001) + "\"}"), "16000");
        assertBadRequest(post("general", "{\"user\": \"ana\", \"text\": \"hi\", \"id\": 7}"), "'id'");
        assertThat(post("general", "{\"user\": \"ana\", \"text\": \"" + "a".repeat(16_000) + "\"}").statusCode())
                .isEqualTo(202);
        assertThat(inbox.received).hasSize(1);
    }

    @Test
    void unknownRoutesGet404Json() throws Exception {
        HttpResponse<String> res = get("/api/nothing-here");

        assertThat(res.statusCode()).isEqualTo(404);
        assertThat(json.readTree(res.body()).get("error").asText()).contains("/api/nothing-here");
    }

    @Test
    void inboxFailureIs500WithoutStackTrace() throws Exception {
        inbox.failWith = new IllegalStateException("database is on fire");

        HttpResponse<String> res = post("general", "{\"user\": \"ana\", \"text\": \"hi\"}");

        assertThat(res.statusCode()).isEqualTo(500);
        String error = json.readTree(res.body()).get("error").asText();
        assertThat(error).contains("try again");
        assertThat(res.body()).doesNotContain("IllegalStateException", "database is on fire", "at dev.claw4j");
        assertThat(get("/api/chats/general/messages").statusCode()).isEqualTo(500);
    }

    @Test
    void eventStreamPushesDeliveredRepliesAndWorkingState() throws Exception {
        EventStream events = EventStream.open(http, URI.create(base + "/api/chats/general/events"), bearer());
        try {
            // The stream opens with the room's current state, so a page that reconnects mid-turn is not stale.
            assertThat(events.next()).isEqualTo(new Event("working", "{\"busy\":false}"));
            assertThat(connector.listenerCount("general")).isEqualTo(1);

            connector.working("general", null, true);
            connector.working("general", null, true); // no change, no event
            connector.deliver(new OutboundMessage(7, "web", "general", null, "line one\nline two", "p-1"));
            connector.deliver(new OutboundMessage(8, "web", "elsewhere", null, "not for this room", null));
            connector.working("general", null, false);

            assertThat(events.next()).isEqualTo(new Event("working", "{\"busy\":true}"));
            Event reply = events.next();
            assertThat(reply.name()).isEqualTo("message");
            JsonNode line = json.readTree(reply.data());
            assertThat(line.get("id").asLong()).isEqualTo(7);
            assertThat(line.get("direction").asText()).isEqualTo("out");
            assertThat(line.get("sender").asText()).isEqualTo("claw");
            assertThat(line.get("text").asText()).isEqualTo("line one\nline two");
            assertThat(Instant.parse(line.get("at").asText())).isNotNull();
            assertThat(events.next()).isEqualTo(new Event("working", "{\"busy\":false}"));
        } finally {
            events.close();
        }
    }

    @Test
    void theTurnsStatusGoesToOpenPagesAsProgressEvents() throws Exception {
        EventStream events = EventStream.open(http, URI.create(base + "/api/chats/general/events"), bearer());
        try {
            events.next(); // the room's state
            String id = connector.progress("general", null, "⏳ Working… bash: sleep 10");
            connector.editProgress("general", null, id, "⏳ Working… done with bash: sleep 10");
            connector.clearProgress("general", null, id);
            assertThat(events.next()).isEqualTo(new Event("progress",
                    toJsonOf(java.util.Map.of("id", id, "text", "⏳ Working… bash: sleep 10"))));
            assertThat(events.next()).isEqualTo(new Event("progress",
                    toJsonOf(java.util.Map.of("id", id, "text", "⏳ Working… done with bash: sleep 10"))));
            assertThat(events.next()).isEqualTo(new Event("progress", toJsonOf(java.util.Map.of("id", id, "text", ""))));
        } finally {
            events.close();
        }
    }

    private String toJsonOf(java.util.Map<String, String> map) throws Exception {
        return json.writeValueAsString(map);
    }

    @Test
    void closingTheConnectorEndsOpenStreams() throws Exception {
        EventStream events = EventStream.open(http, URI.create(base + "/api/chats/dm-ana/events"), bearer());
        events.next();

        connector.close();

        events.ended.get(5, TimeUnit.SECONDS);
        assertThat(connector.listenerCount("dm-ana")).isZero();
    }

    @Test
    void the202ComesOnlyAfterTheMessageIsStored() throws Exception {
        inbox.delayMillis = 400; // a slow commit
        long before = System.nanoTime();
        HttpResponse<String> res = post("dm-ana", "{\"user\": \"ana\", \"text\": \"slow store\"}");
        long tookMillis = (System.nanoTime() - before) / 1_000_000;
        assertThat(res.statusCode()).isEqualTo(202);
        assertThat(tookMillis).as("the answer waited for the store").isGreaterThanOrEqualTo(400);
        assertThat(inbox.received).extracting(InboundMessage::text).containsExactly("slow store");

        inbox.delayMillis = 0;
        inbox.failWith = new IllegalStateException("store is down");
        assertThat(post("dm-ana", "{\"user\": \"ana\", \"text\": \"lost?\"}").statusCode())
                .as("not stored, so not accepted").isGreaterThanOrEqualTo(500);
    }

    @Test
    void deliverWithNobodyListeningSucceeds() {
        assertThat(connector.deliver(new OutboundMessage(1, "web", "dm-nobody", null, "hello?", null))
                .platformMessageIds()).as("the web chat's own id").containsExactly("1");
        connector.working("dm-nobody", null, true);
        assertThat(connector.listenerCount("dm-nobody")).isZero();
    }

    @Test
    void eventStreamRefusesBadChatAndNonStreamingClients() throws Exception {
        assertBadRequest(get("/api/chats/bad!chat/events"), "chat name");
        assertBadRequest(get("/api/chats/general/events"), "text/event-stream");
    }

    @Test
    void pageIsServedWithTheBotNameAndNoExternalResources() throws Exception {
        HttpResponse<String> res = get("/");

        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).contains("text/html"));
        assertThat(res.body()).contains("<title>claw4j web chat</title>", "@claw", "EventSource", "dm-")
                .doesNotContain("{{botName}}", "src=\"http", "href=\"http");
    }

    @Test
    void portInUseIsAClearError() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            WebConnector second = new WebConnector(new WebSettings("127.0.0.1", taken.getLocalPort(), null, data));
            assertThatThrownBy(() -> second.start(new RecordingInbox()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("web chat: port " + taken.getLocalPort()
                            + " is in use; set connectors.web.port");
        }
    }

    @Test
    void bindsToLoopbackByDefault() throws Exception {
        assertThat(WebSettings.defaults(data)).isEqualTo(new WebSettings(null, 8080, null, data));
        assertThat(WebSettings.defaults(data).bind()).isEqualTo("127.0.0.1");
        assertThat(WebSettings.defaults(data).botName()).isEqualTo("claw");

        // Reachable on loopback, and not on any other address this machine has.
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), connector.port())) {
            assertThat(s.isConnected()).isTrue();
        }
        Optional<InetAddress> external = NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .findFirst();
        if (external.isPresent()) {
            assertThatThrownBy(() -> {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress(external.get(), connector.port()), 2000);
                }
            }).isInstanceOf(ConnectException.class);
        }
    }

    @Test
    void settingsRejectBadValues() {
        assertThatThrownBy(() -> new WebSettings(null, 70000, null, data)).hasMessageContaining("connectors.web.port");
        assertThatThrownBy(() -> new WebSettings(null, 0, "bad name", data)).hasMessageContaining("bot name");
        assertThatThrownBy(() -> new WebSettings(null, 0, null, List.of("https://chat.example.com/"), data))
                .hasMessageContaining("connectors.web.allowedHosts").hasMessageContaining("no scheme");
        assertThat(new WebSettings(null, 0, null, List.of(" Chat.Example.com ", "[::1]:8443"), data).allowedHosts())
                .containsExactly("chat.example.com", "[::1]:8443");
    }

    private void assertBadRequest(HttpResponse<String> res, String mentions) throws IOException {
        assertThat(res.statusCode()).as(res.body()).isEqualTo(400);
        assertThat(json.readTree(res.body()).get("error").asText()).contains(mentions);
    }

    private HttpResponse<String> post(String chat, String body) throws IOException, InterruptedException {
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/chats/" + chat + "/messages"))
                .header("Content-Type", "application/json").header("Authorization", bearer())
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        return http.send(req, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", bearer()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private String bearer() {
        return "Bearer " + token;
    }

    /** A small in-memory host: numbers messages, deduplicates on platform message id, serves canned history. */
    static final class RecordingInbox implements Inbox {
        final List<InboundMessage> received = new CopyOnWriteArrayList<>();
        final Map<String, List<ChatLine>> history = new ConcurrentHashMap<>();
        private final Map<String, Long> ids = new ConcurrentHashMap<>();
        private final AtomicLong next = new AtomicLong();
        final List<String> refusals = new CopyOnWriteArrayList<>();
        volatile RuntimeException failWith;

        @Override
        public void refused(String platform, String what) {
            assertThat(platform).isEqualTo("web");
            refusals.add(what);
        }

        /** A slow store: the message is recorded this long after it was handed over. */
        volatile long delayMillis;

        @Override
        public Accepted receive(InboundMessage message) {
            if (delayMillis > 0) {
                try {
                    Thread.sleep(delayMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            if (failWith != null) {
                throw failWith;
            }
            received.add(message);
            Long known = ids.get(message.platformMessageId());
            if (known != null) {
                return new Accepted(known, true, false);
            }
            long id = next.incrementAndGet();
            ids.put(message.platformMessageId(), id);
            return new Accepted(id, false, message.kind() == ChatKind.DIRECT || message.mentionsBot());
        }

        @Override
        public List<ChatLine> history(String platform, String chatId) {
            if (failWith != null) {
                throw failWith;
            }
            return history.getOrDefault(chatId, List.of());
        }
    }

    record Event(String name, String data) {}

    /** Reads a text/event-stream with HttpClient's line subscriber and hands out whole events. */
    static final class EventStream implements Flow.Subscriber<String>, AutoCloseable {
        private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        private Flow.Subscription subscription;
        private String name = "message";
        private final List<String> data = new ArrayList<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        /** Opens the stream with these credentials: an {@code Authorization} value or a {@code Cookie:} line. */
        static EventStream open(HttpClient http, URI uri, String credentials) throws Exception {
            EventStream stream = new EventStream();
            HttpRequest.Builder builder = HttpRequest.newBuilder(uri).header("Accept", "text/event-stream");
            if (credentials.startsWith("Cookie: ")) {
                builder.header("Cookie", credentials.substring("Cookie: ".length()));
            } else {
                builder.header("Authorization", credentials);
            }
            HttpRequest req = builder.build();
            // The future of sendAsync completes only when the body ends, which a live stream never does; the
            // body handler, though, runs as soon as the headers are in.
            CompletableFuture<HttpResponse.ResponseInfo> headers = new CompletableFuture<>();
            http.sendAsync(req, info -> {
                headers.complete(info);
                return HttpResponse.BodySubscribers.fromLineSubscriber(stream);
            });
            HttpResponse.ResponseInfo info = headers.get(5, TimeUnit.SECONDS);
            assertThat(info.statusCode()).isEqualTo(200);
            assertThat(info.headers().firstValue("Content-Type")).hasValueSatisfying(
                    v -> assertThat(v).startsWith("text/event-stream"));
            return stream;
        }

        Event next() throws InterruptedException {
            Event event = events.poll(5, TimeUnit.SECONDS);
            assertThat(event).as("an event within 5 s").isNotNull();
            return event;
        }

        /** The next event within {@code wait}, or null when none came. */
        Event poll(Duration wait) throws InterruptedException {
            return events.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(String line) {
            if (line.isEmpty()) { // a blank line ends an event
                if (!data.isEmpty()) {
                    events.add(new Event(name, String.join("\n", data)));
                }
                name = "message";
                data.clear();
            } else if (line.startsWith("event:")) {
                name = line.substring(6).strip();
            } else if (line.startsWith("data:")) {
                data.add(line.substring(5).stripLeading());
            }
        }

        @Override
        public void onError(Throwable t) {
            ended.complete(null);
        }

        @Override
        public void onComplete() {
            ended.complete(null);
        }

        @Override
        public void close() {
            if (subscription != null) {
                subscription.cancel();
            }
        }
    }
}
