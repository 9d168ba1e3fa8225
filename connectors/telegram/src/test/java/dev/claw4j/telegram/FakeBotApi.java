package dev.claw4j.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A wire-level fake of the Telegram Bot API on loopback, speaking the real protocol as far as the connector
 * uses it: {@code POST /bot<token>/<method>} with JSON, form or multipart bodies (method names matched
 * case-insensitively, as the client library sends them in mixed case), {@code {"ok":..}} envelopes with
 * {@code error_code}, {@code description} and {@code parameters.retry_after}, long-polled getUpdates with
 * Telegram's offset semantics (an update confirmed by a higher offset is gone for good), file downloads at
 * {@code /file/bot<token>/<file_path>}, and Telegram's HTML parse mode checked like Telegram checks it.
 */
public final class FakeBotApi implements AutoCloseable {
    public static final String TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghij";
    public static final long BOT_ID = 123456789L;
    public static final String BOT_NAME = "claw4j_test_bot";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern PATH = Pattern.compile("^/bot([^/]+)/([A-Za-z]+)$");
    private static final Pattern FILE_PATH = Pattern.compile("^/file/bot([^/]+)/(.+)$");
    private static final Pattern TAG = Pattern.compile("<(/?)([a-zA-Z-]+)([^>]*)>");
    private static final List<String> HTML_TAGS = List.of("b", "strong", "i", "em", "u", "ins", "s", "strike",
            "del", "span", "tg-spoiler", "a", "code", "pre", "blockquote", "tg-emoji");

    /** One request the fake received: the method (lower case), its parameters, and uploaded files. */
    public record Call(String method, JsonNode params, Map<String, Upload> files, Instant at) {
        public String param(String name) {
            JsonNode v = params.get(name);
            return v == null || v.isNull() ? null : v.isTextual() ? v.asText() : v.toString();
        }
    }

    /** A file sent with multipart/form-data. */
    public record Upload(String fileName, byte[] content) {}

    private record Failure(int code, String description, Integer retryAfter) {}

    private record Raw(int status, String body) {}

    private record StoredFile(String path, byte[] content) {}

    private final String token;
    private final HttpServer server;
    private final List<Call> calls = new CopyOnWriteArrayList<>();
    private final Deque<ObjectNode> updates = new ArrayDeque<>(); // guarded by this
    private final AtomicLong nextUpdateId = new AtomicLong(700_000_000L);
    private final Map<Long, AtomicInteger> messageIds = new ConcurrentHashMap<>();
    private final Map<String, Deque<Failure>> failures = new ConcurrentHashMap<>();
    /** The calls answered with a failure queued by {@link #failNext}, in order. */
    private final List<Call> refused = new CopyOnWriteArrayList<>();
    private final Map<String, Deque<Raw>> raw = new ConcurrentHashMap<>();
    private final Map<String, StoredFile> files = new ConcurrentHashMap<>();
    private final AtomicInteger fileIds = new AtomicInteger();
    private final AtomicInteger activePolls = new AtomicInteger();
    private final Map<Long, Instant> handedOut = new ConcurrentHashMap<>();
    private volatile Duration maxPoll = Duration.ofSeconds(50);
    private volatile String webhookUrl;
    private volatile String webhookSecret;

    public FakeBotApi() throws IOException {
        this(TOKEN);
    }

    public FakeBotApi(String token) throws IOException {
        this.token = token;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    /** The base URL to give the connector as {@code apiUrl}. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    // ---------------------------------------------------------------- what people send

    /** A text in a private chat (chat id = user id, as on Telegram). */
    public ObjectNode dm(long userId, String firstName, String text) {
        return message(userId, "private", userId, firstName, text);
    }

    /** A text in a supergroup (negative chat id, as on Telegram). */
    public ObjectNode group(long chatId, long userId, String firstName, String text) {
        return message(chatId, "supergroup", userId, firstName, text);
    }

    /** A text in a forum topic of a supergroup. */
    public ObjectNode topic(long chatId, int threadId, long userId, String firstName, String text) {
        ObjectNode m = group(chatId, userId, firstName, text);
        ((ObjectNode) m.get("chat")).put("is_forum", true);
        m.put("message_thread_id", threadId).put("is_topic_message", true);
        // in a topic every message also replies to the topic's first message, sent by the person who opened it
        ObjectNode start = m.putObject("reply_to_message").put("message_id", threadId).put("date", now());
        start.set("chat", m.get("chat").deepCopy());
        start.putObject("from").put("id", 1).put("is_bot", false).put("first_name", "Topic opener");
        start.putObject("forum_topic_created").put("name", "topic " + threadId).put("icon_color", 7322096);
        return m;
    }

    public ObjectNode message(long chatId, String chatType, long userId, String firstName, String text) {
        ObjectNode m = JSON.createObjectNode();
        m.put("message_id", nextMessageId(chatId));
        ObjectNode from = m.putObject("from").put("id", userId).put("is_bot", false).put("first_name", firstName)
                .put("username", firstName.toLowerCase(Locale.ROOT));
        from.put("language_code", "en");
        ObjectNode chat = m.putObject("chat").put("id", chatId).put("type", chatType);
        if ("private".equals(chatType)) {
            chat.put("first_name", firstName).put("username", firstName.toLowerCase(Locale.ROOT));
        } else {
            chat.put("title", "Group " + chatId);
        }
        m.put("date", now());
        if (text != null) {
            m.put("text", text);
            ArrayNode entities = entities(text);
            if (!entities.isEmpty()) {
                m.set("entities", entities);
            }
        }
        return m;
    }

    /** Makes {@code m} a reply to a message the bot sent earlier. */
    public ObjectNode replyingToBot(ObjectNode m, int botMessageId) {
        ObjectNode replied = m.putObject("reply_to_message").put("message_id", botMessageId).put("date", now())
                .put("text", "an earlier answer");
        replied.set("chat", m.get("chat").deepCopy());
        replied.putObject("from").put("id", BOT_ID).put("is_bot", true).put("first_name", "Claw")
                .put("username", BOT_NAME);
        return m;
    }

    /** Adds a photo (three sizes, the largest holding {@code content}) to {@code m}; its text becomes the caption. */
    public ObjectNode withPhoto(ObjectNode m, byte[] content) {
        captionize(m);
        ArrayNode sizes = m.putArray("photo");
        sizes.add(photoSize(addFile(new byte[] {1, 2, 3}, "photos/small.jpg"), 90, 60, 3));
        sizes.add(photoSize(addFile(new byte[] {4, 5, 6, 7}, "photos/medium.jpg"), 320, 240, 4));
        sizes.add(photoSize(addFile(content, "photos/file_" + fileIds.get() + ".jpg"), 1280, 960, content.length));
        return m;
    }

    /** Adds a document to {@code m}; {@code declaredSize} lets a test claim a size without sending the bytes. */
    public ObjectNode withDocument(ObjectNode m, String fileName, String mime, byte[] content, long declaredSize) {
        captionize(m);
        String id = addFile(content, "documents/" + fileName);
        m.putObject("document").put("file_id", id).put("file_unique_id", "u" + id).put("file_name", fileName)
                .put("mime_type", mime).put("file_size", declaredSize);
        return m;
    }

    /** Queues an update carrying {@code message}; returns its update_id. */
    public long send(ObjectNode message) {
        ObjectNode update = JSON.createObjectNode();
        long id = nextUpdateId.getAndIncrement();
        update.put("update_id", id);
        update.set("message", message);
        synchronized (this) {
            updates.add(update);
            notifyAll();
        }
        return id;
    }

    /** Queues an update that carries no new message (an edit); returns its update_id. */
    public long sendEdit(ObjectNode message) {
        ObjectNode update = JSON.createObjectNode();
        long id = nextUpdateId.getAndIncrement();
        update.put("update_id", id);
        update.set("edited_message", message);
        synchronized (this) {
            updates.add(update);
            notifyAll();
        }
        return id;
    }

    /** The whole update object for {@code message}, for posting to a webhook. */
    public ObjectNode updateFor(ObjectNode message) {
        ObjectNode update = JSON.createObjectNode().put("update_id", nextUpdateId.getAndIncrement());
        update.set("message", message);
        return update;
    }

    /** Updates not yet confirmed by an offset. */
    public synchronized int pendingUpdates() {
        return updates.size();
    }

    // ---------------------------------------------------------------- what the bot did

    public List<Call> calls() {
        return List.copyOf(calls);
    }

    public List<Call> calls(String method) {
        String m = method.toLowerCase(Locale.ROOT);
        return calls.stream().filter(c -> c.method().equals(m)).toList();
    }

    /** The texts of successful sendMessage calls to {@code chatId}, in order. */
    public List<Call> sentTo(String chatId) {
        return calls("sendMessage").stream().filter(c -> chatId.equals(c.param("chat_id")))
                .filter(c -> c.params().path("_ok").asBoolean()).toList();
    }

    public int activePolls() {
        return activePolls.get();
    }

    /** When a getUpdates answer first carried update {@code updateId}, or null while none has. */
    public Instant handedOut(long updateId) {
        return handedOut.get(updateId);
    }

    public String webhookUrl() {
        return webhookUrl;
    }

    public String webhookSecret() {
        return webhookSecret;
    }

    // ---------------------------------------------------------------- scripted trouble

    /** The next {@code times} calls of {@code method} fail with this error (429 with retry_after, 502, ...). */
    public void failNext(String method, int times, int code, String description, Integer retryAfter) {
        Deque<Failure> queue = failures.computeIfAbsent(method.toLowerCase(Locale.ROOT), k -> new ArrayDeque<>());
        synchronized (queue) {
            for (int i = 0; i < times; i++) {
                queue.add(new Failure(code, description, retryAfter));
            }
        }
    }

    /** The next {@code times} calls of {@code method} pass (queue them before failures to fail later calls). */
    /** The calls of {@code method} that were answered with a failure queued by {@link #failNext}. */
    public List<Call> refused(String method) {
        return refused.stream().filter(c -> c.method().equals(method.toLowerCase(Locale.ROOT))).toList();
    }

    public void passNext(String method, int times) {
        failNext(method, times, 0, null, null);
    }

    /**
     * The next {@code times} calls of {@code method} are carried out (a message is really sent), but answered
     * with HTTP 200 and {@code body} instead of the proper answer: a result the client cannot read.
     */
    public void garbleNext(String method, int times, String body) {
        rawNext(method, times, 200, body);
    }

    /**
     * The next {@code times} calls of {@code method} are answered with this status and body, as a proxy in front
     * of Telegram might. A 2xx is answered after the call was carried out; any other status instead of it.
     */
    public void rawNext(String method, int times, int status, String body) {
        Deque<Raw> queue = raw.computeIfAbsent(method.toLowerCase(Locale.ROOT), k -> new ArrayDeque<>());
        synchronized (queue) {
            for (int i = 0; i < times; i++) {
                queue.add(new Raw(status, body));
            }
        }
    }

    /** Caps how long a getUpdates call waits, whatever timeout the client asked for. */
    public void maxPoll(Duration d) {
        maxPoll = d;
    }

    public String addFile(byte[] content, String path) {
        String id = "file-" + fileIds.incrementAndGet();
        files.put(id, new StoredFile(path, content));
        return id;
    }

    // ---------------------------------------------------------------- the server

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Matcher file = FILE_PATH.matcher(path);
            if (file.matches()) {
                download(exchange, file.group(1), file.group(2));
                return;
            }
            Matcher m = PATH.matcher(path);
            if (!m.matches()) {
                reply(exchange, 404, error(404, "Not Found"));
                return;
            }
            if (!m.group(1).equals(token)) {
                reply(exchange, 401, error(401, "Unauthorized"));
                return;
            }
            String method = m.group(2).toLowerCase(Locale.ROOT);
            Map<String, Upload> uploads = new LinkedHashMap<>();
            ObjectNode params = params(exchange, uploads);
            Call call = new Call(method, params, uploads, Instant.now());
            calls.add(call);
            Failure failure = nextFailure(method);
            if (failure != null) {
                refused.add(call);
                ObjectNode body = error(failure.code(), failure.description());
                if (failure.retryAfter() != null) {
                    body.putObject("parameters").put("retry_after", failure.retryAfter());
                }
                reply(exchange, failure.code(), body);
                return;
            }
            Raw rawAnswer = nextRaw(method);
            boolean carriedOut = rawAnswer == null || rawAnswer.status() / 100 == 2;
            ObjectNode answer = carriedOut ? answer(method, params, uploads) : null;
            if (answer != null && answer.path("ok").asBoolean()) {
                params.put("_ok", true);
            }
            if (rawAnswer != null) {
                byte[] bytes = rawAnswer.body().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", rawAnswer.body().startsWith("<")
                        ? "text/html" : "application/json");
                exchange.sendResponseHeaders(rawAnswer.status(), bytes.length == 0 ? -1 : bytes.length);
                exchange.getResponseBody().write(bytes);
                return;
            }
            reply(exchange, answer.path("ok").asBoolean() ? 200 : answer.path("error_code").asInt(400), answer);
        } catch (RuntimeException e) {
            reply(exchange, 500, error(500, "Internal Server Error: " + e));
        }
    }

    private ObjectNode answer(String method, ObjectNode p, Map<String, Upload> uploads) {
        return switch (method) {
            case "getme" -> ok(botUser().put("can_join_groups", true).put("can_read_all_group_messages", false)
                    .put("supports_inline_queries", false));
            case "getupdates" -> getUpdates(p);
            case "deletewebhook" -> {
                webhookUrl = null;
                webhookSecret = null;
                yield ok(JSON.getNodeFactory().booleanNode(true));
            }
            case "setwebhook" -> {
                webhookUrl = text(p, "url");
                webhookSecret = text(p, "secret_token");
                yield ok(JSON.getNodeFactory().booleanNode(true));
            }
            case "sendchataction" -> ok(JSON.getNodeFactory().booleanNode(true));
            case "sendmessage" -> sendMessage(p);
            case "senddocument" -> sendDocument(p, uploads);
            case "getfile" -> getFile(p);
            case "editmessagetext" -> editMessageText(p);
            case "deletemessage" -> deleteMessage(p);
            default -> error(404, "Not Found: method not found");
        };
    }

    private ObjectNode getUpdates(ObjectNode p) {
        long offset = p.path("offset").asLong(0);
        int limit = Math.max(1, Math.min(100, p.path("limit").asInt(100)));
        long timeoutMillis = Math.min(p.path("timeout").asLong(0) * 1000, maxPoll.toMillis());
        long deadline = System.currentTimeMillis() + timeoutMillis;
        activePolls.incrementAndGet();
        try {
            synchronized (this) {
                // Telegram forgets every update below the offset: they were confirmed
                if (offset > 0) {
                    updates.removeIf(u -> u.get("update_id").asLong() < offset);
                }
                while (updates.isEmpty() && System.currentTimeMillis() < deadline) {
                    wait(Math.max(1, deadline - System.currentTimeMillis()));
                }
                ArrayNode result = JSON.createArrayNode();
                updates.stream().limit(limit).forEach(u -> result.add(u.deepCopy()));
                Instant now = Instant.now();
                result.forEach(u -> handedOut.putIfAbsent(u.get("update_id").asLong(), now));
                return ok(result);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ok(JSON.createArrayNode());
        } finally {
            activePolls.decrementAndGet();
        }
    }

    private ObjectNode sendMessage(ObjectNode p) {
        String text = text(p, "text");
        if (text == null || text.isEmpty()) {
            return error(400, "Bad Request: message text is empty");
        }
        String visible = text;
        if ("html".equalsIgnoreCase(text(p, "parse_mode"))) {
            String problem = htmlProblem(text);
            if (problem != null) {
                return error(400, "Bad Request: can't parse entities: " + problem);
            }
            visible = visibleText(text);
        }
        if (visible.length() > 4096) {
            return error(400, "Bad Request: message is too long");
        }
        long chatId = Long.parseLong(text(p, "chat_id"));
        ObjectNode m = sentMessage(chatId, p);
        m.put("text", visible);
        live.put(chatId + ":" + m.get("message_id").asInt(), visible);
        return ok(m);
    }

    /** The bot's messages still in their chats ("chat:id" → text), for "nothing left behind" checks. */
    private final Map<String, String> live = new ConcurrentHashMap<>();

    /** The text messages the bot sent that are still there, edited text included ("chat:id" → text). */
    public Map<String, String> liveMessages() {
        return Map.copyOf(live);
    }

    private ObjectNode editMessageText(ObjectNode p) {
        String key = text(p, "chat_id") + ":" + text(p, "message_id");
        String text = text(p, "text");
        if (!live.containsKey(key)) {
            return error(400, "Bad Request: message to edit not found");
        }
        if (text == null || text.isEmpty()) {
            return error(400, "Bad Request: message text is empty");
        }
        if (text.equals(live.get(key))) {
            return error(400, "Bad Request: message is not modified");
        }
        live.put(key, text);
        ObjectNode m = JSON.createObjectNode().put("message_id", Integer.parseInt(text(p, "message_id")));
        m.set("from", botUser());
        long chatId = Long.parseLong(text(p, "chat_id"));
        m.putObject("chat").put("id", chatId).put("type", chatId > 0 ? "private" : "supergroup");
        m.put("date", now()).put("edit_date", now()).put("text", text);
        return ok(m);
    }

    private ObjectNode deleteMessage(ObjectNode p) {
        if (live.remove(text(p, "chat_id") + ":" + text(p, "message_id")) == null) {
            return error(400, "Bad Request: message to delete not found");
        }
        return ok(JSON.getNodeFactory().booleanNode(true));
    }

    private ObjectNode sendDocument(ObjectNode p, Map<String, Upload> uploads) {
        // the file is either the "document" part itself or, Telegram's other form, "attach://<part name>"
        String ref = text(p, "document");
        Upload doc = ref != null && ref.startsWith("attach://") ? uploads.get(ref.substring(9)) : uploads.get("document");
        if (doc == null) {
            return error(400, "Bad Request: there is no document in the request");
        }
        uploads.put("document", doc);
        String caption = text(p, "caption");
        if (caption != null && "html".equalsIgnoreCase(text(p, "parse_mode"))) {
            String problem = htmlProblem(caption);
            if (problem != null) {
                return error(400, "Bad Request: can't parse entities: " + problem);
            }
        }
        long chatId = Long.parseLong(text(p, "chat_id"));
        ObjectNode m = sentMessage(chatId, p);
        String id = addFile(doc.content(), "documents/" + doc.fileName());
        m.putObject("document").put("file_id", id).put("file_unique_id", "u" + id)
                .put("file_name", doc.fileName()).put("file_size", doc.content().length);
        if (caption != null) {
            m.put("caption", caption);
        }
        return ok(m);
    }

    private ObjectNode getFile(ObjectNode p) {
        StoredFile f = files.get(String.valueOf(text(p, "file_id")));
        if (f == null) {
            return error(400, "Bad Request: invalid file_id");
        }
        return ok(JSON.createObjectNode().put("file_id", text(p, "file_id")).put("file_unique_id", "u" + text(p, "file_id"))
                .put("file_size", f.content().length).put("file_path", f.path()));
    }

    private void download(HttpExchange exchange, String token, String path) throws IOException {
        StoredFile f = token.equals(this.token)
                ? files.values().stream().filter(s -> s.path().equals(path)).findFirst().orElse(null) : null;
        calls.add(new Call("file", JSON.createObjectNode().put("path", path), Map.of(), Instant.now()));
        if (f == null) {
            reply(exchange, 404, error(404, "Not Found"));
            return;
        }
        exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
        exchange.sendResponseHeaders(200, f.content().length == 0 ? -1 : f.content().length);
        exchange.getResponseBody().write(f.content());
    }

    private ObjectNode sentMessage(long chatId, ObjectNode p) {
        ObjectNode m = JSON.createObjectNode().put("message_id", nextMessageId(chatId));
        m.set("from", botUser());
        m.putObject("chat").put("id", chatId).put("type", chatId > 0 ? "private" : "supergroup");
        m.put("date", now());
        if (p.hasNonNull("message_thread_id")) {
            m.put("message_thread_id", p.get("message_thread_id").asInt()).put("is_topic_message", true);
        }
        return m;
    }

    // Telegram's HTML mode: only its tags, properly nested, and only the four named entities.
    static String htmlProblem(String html) {
        Deque<String> open = new ArrayDeque<>();
        Matcher tag = TAG.matcher(html);
        int at = 0;
        while (tag.find()) {
            String between = html.substring(at, tag.start());
            if (between.indexOf('<') >= 0 || between.indexOf('>') >= 0) {
                return "unescaped '<' or '>' at byte offset " + at;
            }
            String entity = badEntity(between);
            if (entity != null) {
                return "unsupported entity " + entity;
            }
            String name = tag.group(2).toLowerCase(Locale.ROOT);
            if (!HTML_TAGS.contains(name)) {
                return "unsupported start tag \"" + name + "\" at byte offset " + tag.start();
            }
            if (tag.group(1).isEmpty()) {
                open.push(name);
            } else if (open.isEmpty() || !open.pop().equals(name)) {
                return "unexpected end tag \"" + name + "\" at byte offset " + tag.start();
            }
            at = tag.end();
        }
        String rest = html.substring(at);
        if (rest.indexOf('<') >= 0 || rest.indexOf('>') >= 0) {
            return "unescaped '<' or '>' at byte offset " + at;
        }
        String entity = badEntity(rest);
        if (entity != null) {
            return "unsupported entity " + entity;
        }
        return open.isEmpty() ? null : "can't find end tag corresponding to start tag \"" + open.peek() + "\"";
    }

    private static String badEntity(String text) {
        Matcher m = Pattern.compile("&([^;\\s]*);?").matcher(text);
        while (m.find()) {
            String e = m.group();
            if (!e.matches("&(lt|gt|amp|quot);|&#\\d+;|&#x[0-9a-fA-F]+;")) {
                return e;
            }
        }
        return null;
    }

    /** The text a reader sees: tags gone, entities decoded (what Telegram's 4096 limit counts). */
    public static String visibleText(String html) {
        return html.replaceAll("<[^>]+>", "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"")
                .replace("&amp;", "&");
    }

    private Raw nextRaw(String method) {
        Deque<Raw> queue = raw.get(method);
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            return queue.poll();
        }
    }

    private Failure nextFailure(String method) {
        Deque<Failure> queue = failures.get(method);
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            Failure f = queue.poll();
            return f == null || f.code() == 0 ? null : f;
        }
    }

    private ObjectNode params(HttpExchange exchange, Map<String, Upload> uploads) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String type = String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")).toLowerCase(Locale.ROOT);
        ObjectNode params = JSON.createObjectNode();
        if (type.startsWith("application/json")) {
            JsonNode tree = body.length == 0 ? params : JSON.readTree(body);
            if (tree instanceof ObjectNode o) {
                params = o;
            }
        } else if (type.startsWith("multipart/form-data")) {
            Multipart.parse(body, exchange.getRequestHeaders().getFirst("Content-Type"), params, uploads);
        } else if (type.startsWith("application/x-www-form-urlencoded")) {
            for (String pair : new String(body, StandardCharsets.UTF_8).split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return params;
    }

    private static String text(JsonNode p, String name) {
        JsonNode v = p.get(name);
        return v == null || v.isNull() ? null : v.asText();
    }

    private ObjectNode botUser() {
        return JSON.createObjectNode().put("id", BOT_ID).put("is_bot", true).put("first_name", "Claw")
                .put("username", BOT_NAME);
    }

    private int nextMessageId(long chatId) {
        return messageIds.computeIfAbsent(chatId, k -> new AtomicInteger(100)).incrementAndGet();
    }

    private static ObjectNode photoSize(String fileId, int w, int h, int size) {
        return JSON.createObjectNode().put("file_id", fileId).put("file_unique_id", "u" + fileId).put("width", w)
                .put("height", h).put("file_size", size);
    }

    private static void captionize(ObjectNode m) {
        if (m.has("text")) {
            m.set("caption", m.remove("text"));
            JsonNode entities = m.remove("entities");
            if (entities != null) {
                m.set("caption_entities", entities);
            }
        }
    }

    // What Telegram marks in a text: @mentions and a leading /command (with its @bot).
    private static ArrayNode entities(String text) {
        ArrayNode list = JSON.createArrayNode();
        Matcher command = Pattern.compile("^/\\w+(@\\w+)?").matcher(text);
        if (command.find()) {
            list.addObject().put("type", "bot_command").put("offset", 0).put("length", command.end());
        }
        Matcher mention = Pattern.compile("(?<![\\w/])@\\w{3,}").matcher(text);
        while (mention.find()) {
            list.addObject().put("type", "mention").put("offset", mention.start())
                    .put("length", mention.end() - mention.start());
        }
        return list;
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }

    private static ObjectNode ok(JsonNode result) {
        ObjectNode o = JSON.createObjectNode().put("ok", true);
        o.set("result", result);
        return o;
    }

    private static ObjectNode error(int code, String description) {
        return JSON.createObjectNode().put("ok", false).put("error_code", code).put("description", description);
    }

    private static void reply(HttpExchange exchange, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    @Override
    public void close() {
        synchronized (this) {
            notifyAll();
        }
        server.stop(0);
    }

    /** Just enough multipart/form-data for the client's uploads. */
    static final class Multipart {
        private Multipart() {}

        static void parse(byte[] body, String contentType, ObjectNode params, Map<String, Upload> uploads) {
            Matcher b = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(contentType);
            if (!b.find()) {
                return;
            }
            byte[] delimiter = ("--" + b.group(1)).getBytes(StandardCharsets.ISO_8859_1);
            List<Integer> marks = new ArrayList<>();
            for (int i = indexOf(body, delimiter, 0); i >= 0; i = indexOf(body, delimiter, i + delimiter.length)) {
                marks.add(i);
            }
            for (int k = 0; k + 1 < marks.size(); k++) {
                int start = marks.get(k) + delimiter.length + 2; // past CRLF
                int end = marks.get(k + 1) - 2; // before CRLF
                int headerEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
                if (headerEnd < 0 || headerEnd > end) {
                    continue;
                }
                String headers = new String(body, start, headerEnd - start, StandardCharsets.UTF_8);
                byte[] content = java.util.Arrays.copyOfRange(body, headerEnd + 4, end);
                Matcher name = Pattern.compile("name=\"([^\"]*)\"").matcher(headers);
                Matcher fileName = Pattern.compile("filename=\"([^\"]*)\"").matcher(headers);
                if (!name.find()) {
                    continue;
                }
                if (fileName.find()) {
                    uploads.put(name.group(1), new Upload(fileName.group(1), content));
                } else {
                    params.put(name.group(1), new String(content, StandardCharsets.UTF_8));
                }
            }
        }

        private static int indexOf(byte[] hay, byte[] needle, int from) {
            outer:
            for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (hay[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }
}
