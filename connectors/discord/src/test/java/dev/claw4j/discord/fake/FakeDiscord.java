package dev.claw4j.discord.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A wire-level fake Discord on loopback, for the real JDA: the REST API (gateway/bot, users/@me, channel
 * messages with JSON or multipart uploads, typing, DM open, attachment downloads) on one port, the Gateway
 * WebSocket on another. One server ("claw4j test") with channels #general and #random and a thread in
 * #general; people are made up on the fly. Tests play the people ({@link #say}, {@link #dm}) and read what
 * the bot sent ({@link #sent}).
 */
public final class FakeDiscord implements AutoCloseable {
    public static final String BOT_ID = "1200000000000000001";
    public static final String BOT_NAME = "claw";
    public static final String APPLICATION_ID = "1200000000000000002";
    /** Guild ids chosen so that with two shards the first is on shard 0 and the second on shard 1. */
    public static final String GUILD_ID = "1200000000004194304";   // (id >> 22) % 2 == 0
    public static final String GUILD2_ID = "1200000000008388608";  // (id >> 22) % 2 == 1
    public static final String GENERAL = "1200000000000000010";
    public static final String RANDOM = "1200000000000000011";
    public static final String THREAD = "1200000000000000012";
    public static final String OTHER_GUILD_CHANNEL = "1200000000000000013";
    /** A channel the bot sees but may not write to: REST answers 403 Missing Access. */
    public static final String FORBIDDEN = "1200000000000000014";

    /** A message the bot created through REST, as the fake received it. */
    public record Sent(String channelId, String messageId, JsonNode payload, Map<String, Multipart.Part> files) {
        public String content() {
            return payload.path("content").asText();
        }

        public String repliesTo() {
            return payload.path("message_reference").path("message_id").asText(null);
        }

        public Map<String, byte[]> fileContents() {
            Map<String, byte[]> out = new LinkedHashMap<>();
            files.values().forEach(p -> out.put(p.fileName(), p.content()));
            return out;
        }
    }

    private static final Pattern MENTION = Pattern.compile("<@!?(\\d+)>");

    private final String token;
    private final HttpServer rest;
    private final FakeGateway gateway;
    /** Snowflakes of now, as Discord makes them (ms since 2015 in the top bits): they grow and date their message. */
    private final AtomicLong ids = new AtomicLong((System.currentTimeMillis() - 1_420_070_400_000L) << 22);
    private final ObjectNode botUser = Payloads.user(BOT_ID, BOT_NAME, true);
    private final Map<String, ObjectNode> users = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> messages = new ConcurrentHashMap<>();
    private final Map<String, String> dmChannelOfUser = new ConcurrentHashMap<>();
    private final Map<String, String> guildOfChannel = Map.of(GENERAL, GUILD_ID, RANDOM, GUILD_ID, THREAD, GUILD_ID,
            FORBIDDEN, GUILD_ID, OTHER_GUILD_CHANNEL, GUILD2_ID);
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<Sent> sent = new CopyOnWriteArrayList<>();
    private final List<Edit> edits = new CopyOnWriteArrayList<>();
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();

    /** One edit of a message the bot sent (PATCH channels/{id}/messages/{id}). */
    public record Edit(String channelId, String messageId, String content, java.time.Instant at) {}

    public List<Edit> edits() {
        return List.copyOf(edits);
    }

    /** The ids of the bot's messages it deleted. */
    public Set<String> deleted() {
        return Set.copyOf(deleted);
    }
    private final List<String> typing = new CopyOnWriteArrayList<>();
    private final List<String> historyReads = new CopyOnWriteArrayList<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Set<String> dmOpens = ConcurrentHashMap.newKeySet();
    /** nonce → the message made with it, for enforce_nonce (Discord remembers them for a few minutes). */
    private final Map<String, ObjectNode> byNonce = new ConcurrentHashMap<>();
    private final java.util.Deque<String> garbled = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private final java.util.Queue<ObjectNode> onNextLogin = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicInteger creates = new java.util.concurrent.atomic.AtomicInteger();

    public FakeDiscord(String token) throws IOException, InterruptedException {
        this.token = token;
        users.put(BOT_ID, botUser);
        gateway = new FakeGateway(token, this::readyDispatches);
        gateway.startAndWait();
        rest = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        rest.setExecutor(Executors.newCachedThreadPool());
        rest.createContext("/", this::handle);
        rest.start();
    }

    public String restUrl() {
        return "http://127.0.0.1:" + rest.getAddress().getPort() + "/api/v10/";
    }

    public String gatewayUrl() {
        return gateway.url();
    }

    // ---- the people -------------------------------------------------------------------------------------

    /** A DM from a person to the bot; returns the message id. */
    public String dm(String userId, String name, String text) {
        return post(dmChannel(userId, name), userId, name, text, null, List.of());
    }

    /** A message in a server channel or thread; {@code <@id>} in the text mentions that user. */
    public String say(String channelId, String userId, String name, String text) {
        return post(channelId, userId, name, text, null, List.of());
    }

    /** A Discord reply to an earlier message. */
    public String reply(String channelId, String repliedId, String userId, String name, String text) {
        return post(channelId, userId, name, text, repliedId, List.of());
    }

    /** A message with a file; {@code statedSize} is what Discord claims (use more than the cap for a huge one). */
    public String withFile(String channelId, String userId, String name, String text, String fileName, byte[] data,
                           int statedSize) {
        String id = Long.toString(ids.incrementAndGet());
        files.put(id + "/" + fileName, data);
        String url = "http://127.0.0.1:" + rest.getAddress().getPort() + "/attachments/" + id + "/" + fileName;
        return post(channelId, userId, name, text, null,
                List.of(Payloads.attachment(id, fileName, "text/plain", statedSize, url)));
    }

    /** A message posted by another bot (the connector must ignore it). */
    public String botSays(String channelId, String text) {
        ObjectNode other = Payloads.user("1200000000000000099", "otherbot", true);
        users.put("1200000000000000099", other);
        return post(channelId, "1200000000000000099", "otherbot", text, null, List.of());
    }

    public String dmChannel(String userId, String name) {
        person(userId, name);
        return dmChannelOfUser.computeIfAbsent(userId, u -> Long.toString(ids.incrementAndGet()));
    }

    /**
     * A message that arrives on the gateway only right after the bot's next login (READY and the servers): it
     * was sent while the bot was connecting, so the bot gets it live and finds it in the channel's history too.
     */
    public String sayOnNextLogin(String channelId, String userId, String name, String text) {
        ObjectNode message = newMessage(channelId, userId, name, text, null, List.of());
        onNextLogin.add(message);
        return message.path("id").asText();
    }

    private ObjectNode person(String userId, String name) {
        return users.computeIfAbsent(userId, id -> Payloads.user(id, name, false));
    }

    private String post(String channelId, String userId, String name, String text, String repliedId,
                        List<ObjectNode> attachments) {
        ObjectNode message = newMessage(channelId, userId, name, text, repliedId, attachments);
        gateway.dispatch(gateway.shardFor(guildOfChannel.get(channelId)), "MESSAGE_CREATE", message);
        return message.path("id").asText();
    }

    /** A message in the channel's history, not (yet) dispatched on the gateway. */
    private ObjectNode newMessage(String channelId, String userId, String name, String text, String repliedId,
                                  List<ObjectNode> attachments) {
        ObjectNode author = users.containsKey(userId) ? users.get(userId) : person(userId, name);
        String guildId = guildOfChannel.get(channelId);
        List<ObjectNode> mentions = new ArrayList<>();
        Matcher m = MENTION.matcher(text);
        while (m.find()) {
            ObjectNode u = users.get(m.group(1));
            if (u != null) {
                mentions.add(u);
            }
        }
        String id = Long.toString(ids.incrementAndGet());
        ObjectNode replied = repliedId == null ? null : messages.get(repliedId);
        ObjectNode message = Payloads.message(id, channelId, guildId, author, text, mentions, attachments, replied);
        messages.put(id, message);
        return message;
    }

    // ---- the network ------------------------------------------------------------------------------------

    /** Closes the bot's gateway socket with a resumable close code; events until its RESUME are replayed. */
    public void dropGateway() {
        gateway.drop(4000);
    }

    /**
     * Waits until the bot's gateway socket is closed (a closed connector's JDA closes it in the background): from
     * then on messages go to a dead session, which the next login does not resume.
     */
    public void awaitDisconnected(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (gateway.connected()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the bot's gateway socket is still open after " + timeout);
            }
            Thread.sleep(10);
        }
    }

    /** The same for one shard's socket (the others may stay open). */
    public void awaitDisconnected(int shard, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (gateway.connected(shard)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("shard " + shard + "'s gateway socket is still open after " + timeout);
            }
            Thread.sleep(10);
        }
    }

    /** Sends op 7 RECONNECT: the client should reconnect and RESUME. */
    public void requestReconnect() {
        gateway.requestReconnect();
    }

    /** From now on the gateway closes every IDENTIFY with 4004 Authentication failed. */
    public void refuseGatewayToken() {
        gateway.refuseToken = true;
    }

    /** Replays this many already-delivered events too on RESUME, as Discord may. */
    public void replayOverlap(int events) {
        gateway.replayOverlap = events;
    }

    // ---- what the bot did -------------------------------------------------------------------------------

    public List<Sent> sent() {
        return List.copyOf(sent);
    }

    public List<Sent> sentTo(String channelId) {
        return sent.stream().filter(s -> s.channelId().equals(channelId)).toList();
    }

    public List<String> typing() {
        return List.copyOf(typing);
    }

    /** Every REST request as "METHOD path". */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    public int identifies() {
        return gateway.identifies.get();
    }

    public int resumes() {
        return gateway.resumes.get();
    }

    public int heartbeats() {
        return gateway.heartbeats.get();
    }

    /** The intents bitmask of the last IDENTIFY. */
    public int identifiedIntents() {
        return gateway.received.stream().filter(j -> j.path("op").asInt() == 2).reduce((a, b) -> b)
                .map(j -> j.path("d").path("intents").asInt()).orElse(-1);
    }

    /** Waits until the bot has sent at least {@code count} messages. */
    public List<Sent> awaitSent(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sent.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("expected " + count + " message(s) from the bot, got " + sent.size() + ": "
                        + sent);
            }
            Thread.sleep(20);
        }
        return sent();
    }

    // ---- the gateway's login --------------------------------------------------------------------------

    private List<ObjectNode> readyDispatches(int shard, int total) {
        List<String> guilds = List.of(GUILD_ID, GUILD2_ID).stream()
                .filter(g -> (Long.parseLong(g) >> 22) % total == shard).toList();
        ObjectNode ready = Payloads.JSON.createObjectNode();
        ObjectNode d = ready.putObject("d");
        d.put("v", 10).set("user", botUser.deepCopy());
        d.putArray("private_channels");
        guilds.forEach(g -> d.withArray("guilds").addObject().put("id", g).put("unavailable", true));
        d.withArray("guilds");
        d.putObject("application").put("id", APPLICATION_ID).put("flags", 0);
        d.putArray("relationships");
        d.putArray("presences");
        d.putArray("guild_join_requests");
        ready.put("t", "READY");
        List<ObjectNode> out = new ArrayList<>(List.of(ready));
        for (String g : guilds) {
            ObjectNode create = Payloads.JSON.createObjectNode().put("t", "GUILD_CREATE");
            create.set("d", g.equals(GUILD_ID)
                    ? Payloads.guild(GUILD_ID, "claw4j test", "1200000000000000050", botUser.deepCopy(),
                    List.of(Payloads.textChannel(GENERAL, GUILD_ID, "general", 0),
                            Payloads.textChannel(RANDOM, GUILD_ID, "random", 1),
                            Payloads.textChannel(FORBIDDEN, GUILD_ID, "read-only", 2)),
                    List.of(Payloads.thread(THREAD, GUILD_ID, GENERAL, "1200000000000000050", "a thread")))
                    : Payloads.guild(GUILD2_ID, "second server", "1200000000000000050", botUser.deepCopy(),
                    List.of(Payloads.textChannel(OTHER_GUILD_CHANNEL, GUILD2_ID, "lobby", 0)), List.of()));
            out.add(create);
        }
        for (ObjectNode m; shard == 0 && (m = onNextLogin.poll()) != null; ) {
            ObjectNode event = Payloads.JSON.createObjectNode().put("t", "MESSAGE_CREATE");
            event.set("d", m);
            out.add(event);
        }
        return out;
    }

    // ---- REST -------------------------------------------------------------------------------------------

    private static final Pattern CHANNEL_MESSAGES = Pattern.compile("/api/v10/channels/(\\d+)/messages");
    private static final Pattern CHANNEL_TYPING = Pattern.compile("/api/v10/channels/(\\d+)/typing");
    private static final Pattern CHANNEL_MESSAGE = Pattern.compile("/api/v10/channels/(\\d+)/messages/(\\d+)");

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String method = ex.getRequestMethod();
            requests.add(method + " " + path);
            byte[] body = ex.getRequestBody().readAllBytes();
            if (path.startsWith("/attachments/")) {
                byte[] data = files.get(path.substring("/attachments/".length()));
                respond(ex, data == null ? 404 : 200, data == null ? new byte[0] : data, "application/octet-stream");
                return;
            }
            if (!("Bot " + token).equals(ex.getRequestHeaders().getFirst("Authorization"))) {
                json(ex, 401, Payloads.error("401: Unauthorized", 0));
                return;
            }
            Matcher messagesRoute = CHANNEL_MESSAGES.matcher(path);
            Matcher typingRoute = CHANNEL_TYPING.matcher(path);
            Matcher messageRoute = CHANNEL_MESSAGE.matcher(path);
            if (method.equals("GET") && path.equals("/api/v10/users/@me")) {
                json(ex, 200, botUser);
            } else if (method.equals("GET") && (path.equals("/api/v10/gateway/bot") || path.equals("/api/v10/gateway"))) {
                ObjectNode g = Payloads.JSON.createObjectNode().put("url", gateway.url()).put("shards", 1);
                g.putObject("session_start_limit").put("total", 1000).put("remaining", 1000).put("reset_after", 0)
                        .put("max_concurrency", 1);
                json(ex, 200, g);
            } else if (method.equals("GET") && messagesRoute.matches()) {
                history(ex, messagesRoute.group(1));
            } else if (method.equals("POST") && messagesRoute.matches()) {
                createMessage(ex, messagesRoute.group(1), body);
            } else if (method.equals("PATCH") && messageRoute.matches()) {
                ObjectNode message = messages.get(messageRoute.group(2));
                if (message == null || deleted.contains(messageRoute.group(2))) {
                    json(ex, 404, Payloads.error("Unknown Message", 10008));
                    return;
                }
                String content = Payloads.JSON.readTree(body).path("content").asText("");
                message.put("content", content).put("edited_timestamp", java.time.Instant.now().toString());
                edits.add(new Edit(messageRoute.group(1), messageRoute.group(2), content, java.time.Instant.now()));
                json(ex, 200, message);
            } else if (method.equals("DELETE") && messageRoute.matches()) {
                if (!messages.containsKey(messageRoute.group(2)) || !deleted.add(messageRoute.group(2))) {
                    json(ex, 404, Payloads.error("Unknown Message", 10008));
                    return;
                }
                respond(ex, 204, new byte[0], null);
            } else if (method.equals("POST") && typingRoute.matches()) {
                typing.add(typingRoute.group(1));
                respond(ex, 204, new byte[0], null);
            } else if (method.equals("POST") && path.equals("/api/v10/users/@me/channels")) {
                String user = Payloads.JSON.readTree(body).path("recipient_id").asText();
                dmOpens.add(user);
                ObjectNode c = Payloads.JSON.createObjectNode().put("id", dmChannel(user, "user" + user)).put("type", 1);
                c.putNull("last_message_id");
                c.putArray("recipients").add(users.get(user));
                json(ex, 200, c);
            } else {
                json(ex, 404, Payloads.error("404: Not Found", 0));
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            json(ex, 500, Payloads.error("fake failed: " + e, 0));
        }
    }

    /**
     * The next {@code times} message creates are carried out (the message appears), but answered with HTTP 200
     * and {@code body} instead of the message object: an answer JDA cannot read.
     */
    public void garbleNextCreates(int times, String body) {
        for (int i = 0; i < times; i++) {
            garbled.add(body);
        }
    }

    /** Every POST to a channel's messages, duplicates and refusals included. */
    public int createRequests() {
        return creates.get();
    }

    /** The users a DM was opened with through {@code POST users/@me/channels}. */
    public Set<String> dmOpens() {
        return Set.copyOf(dmOpens);
    }

    private void createMessage(HttpExchange ex, String channelId, byte[] body) throws IOException {
        String contentType = ex.getRequestHeaders().getFirst("Content-Type");
        JsonNode payload;
        Map<String, Multipart.Part> uploads = new LinkedHashMap<>();
        if (contentType != null && contentType.startsWith("multipart/")) {
            Map<String, Multipart.Part> parts = Multipart.parse(contentType, body);
            payload = Payloads.JSON.readTree(parts.get("payload_json").content());
            parts.values().stream().filter(p -> p.fileName() != null).forEach(p -> uploads.put(p.name(), p));
        } else {
            payload = Payloads.JSON.readTree(body);
        }
        creates.incrementAndGet();
        boolean dm = dmChannelOfUser.containsValue(channelId);
        if (!dm && !guildOfChannel.containsKey(channelId)) {
            json(ex, 404, Payloads.error("Unknown Channel", 10003));
            return;
        }
        if (channelId.equals(FORBIDDEN)) {
            json(ex, 403, Payloads.error("Missing Access", 50001));
            return;
        }
        String nonce = payload.path("nonce").asText(null);
        if (nonce != null && payload.path("enforce_nonce").asBoolean() && byNonce.containsKey(nonce)) {
            json(ex, 200, byNonce.get(nonce)); // Discord's answer to a repeat: the message it already made
            return;
        }
        String id = Long.toString(ids.incrementAndGet());
        String repliedId = payload.path("message_reference").path("message_id").asText(null);
        List<ObjectNode> attachments = new ArrayList<>();
        uploads.values().forEach(p -> attachments.add(Payloads.attachment(Long.toString(ids.incrementAndGet()),
                p.fileName(), "application/octet-stream", p.content().length, "http://127.0.0.1/none")));
        String guildId = guildOfChannel.get(channelId);
        ObjectNode message = Payloads.message(id, channelId, guildId, botUser.deepCopy(),
                payload.path("content").asText(""), List.of(), attachments,
                repliedId == null ? null : messages.get(repliedId));
        messages.put(id, message);
        if (nonce != null) {
            byNonce.put(nonce, message);
        }
        sent.add(new Sent(channelId, id, payload, uploads));
        String garbage = garbled.poll();
        if (garbage != null) {
            respond(ex, 200, garbage.getBytes(StandardCharsets.UTF_8), "application/json");
        } else {
            json(ex, 200, message);
        }
        // Discord echoes the bot's own message on the gateway too; the connector must not take it as input
        gateway.dispatch(gateway.shardFor(guildId), "MESSAGE_CREATE", message);
    }

    /**
     * {@code GET channels/{id}/messages?after=…&limit=…}: the oldest {@code limit} messages after that id (the
     * bot's own too, not deleted ones), newest first as Discord lists them.
     */
    private void history(HttpExchange ex, String channelId) throws IOException {
        Map<String, String> query = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        for (String pair : raw == null ? new String[0] : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            query.put(kv[0], kv.length > 1 ? kv[1] : "");
        }
        if (!query.containsKey("after")) {
            json(ex, 400, Payloads.error("the fake serves history only with after=", 0));
            return;
        }
        if (!dmChannelOfUser.containsValue(channelId) && !guildOfChannel.containsKey(channelId)) {
            json(ex, 404, Payloads.error("Unknown Channel", 10003));
            return;
        }
        historyReads.add(channelId);
        long after = Long.parseLong(query.get("after"));
        int limit = Integer.parseInt(query.getOrDefault("limit", "50"));
        List<ObjectNode> page = messages.values().stream()
                .filter(m -> m.path("channel_id").asText().equals(channelId) && m.path("id").asLong() > after
                        && !deleted.contains(m.path("id").asText()))
                .sorted(java.util.Comparator.comparingLong(m -> m.path("id").asLong()))
                .limit(limit).toList();
        var array = Payloads.JSON.createArrayNode();
        page.reversed().forEach(array::add);
        json(ex, 200, array);
    }

    /** The channels whose history the bot read, in order. */
    public List<String> historyReads() {
        return List.copyOf(historyReads);
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        respond(ex, status, body.toString().getBytes(StandardCharsets.UTF_8), "application/json");
    }

    private static void respond(HttpExchange ex, int status, byte[] body, String contentType) throws IOException {
        if (contentType != null) {
            ex.getResponseHeaders().set("Content-Type", contentType);
        }
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        }
    }

    @Override
    public void close() {
        rest.stop(0);
        try {
            gateway.stop(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
