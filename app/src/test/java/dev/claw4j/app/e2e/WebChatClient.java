package dev.claw4j.app.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.web.WebSenders;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The web chat's JSON API, as a script or a test uses it: the install's token from the data directory as a
 * bearer header, and one browser secret for the whole test run, so each typed name is one person, the same
 * person across hosts and restarts, and a test can name that person in access lists before a host starts.
 */
final class WebChatClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BROWSER = WebSenders.newSecret();
    private final HttpClient http = HttpClient.newHttpClient();
    private final String base;
    private final Path tokenFile;
    private volatile String token;

    WebChatClient(int port, Path dataDir) {
        this.base = "http://127.0.0.1:" + port;
        this.tokenFile = dataDir.resolve("web-token");
    }

    /** The id access rules see for the person typing {@code user} in this client, e.g. for access.admins. */
    static String senderId(String user) {
        return "web:" + WebSenders.id(BROWSER, user);
    }

    private HttpRequest.Builder request(String chat) throws IOException {
        if (token == null || token.isEmpty()) {
            // the host makes it at its first start, so a client made before that reads it late (and may find the
            // file made but not yet written: an empty token is read again)
            token = Files.readString(tokenFile).strip();
        }
        return HttpRequest.newBuilder(URI.create(base + "/api/chats/" + chat + "/messages"))
                .header("Authorization", "Bearer " + token).header("Cookie", WebSenders.COOKIE + "=" + BROWSER);
    }

    /** Posts a message and returns the stored message id. */
    long post(String chat, String user, String text) throws IOException, InterruptedException {
        return post(chat, user, text, null).id();
    }

    /**
     * Posts a message with the client's own id ({@code clientId}, null for none): a retry with the same id after a
     * lost answer is the same message, which the host answers with the first copy's id and {@code duplicate}.
     */
    Posted post(String chat, String user, String text, String clientId) throws IOException, InterruptedException {
        Map<String, String> fields = clientId == null ? Map.of("user", user, "text", text)
                : Map.of("user", user, "text", text, "id", clientId);
        HttpResponse<String> r = http.send(request(chat).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(fields))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + r.statusCode() + ": " + r.body());
        }
        JsonNode answer = JSON.readTree(r.body());
        return new Posted(answer.get("id").asLong(), answer.get("duplicate").asBoolean());
    }

    /** The host's answer to a POST it took (202): the stored message's id, and whether it had it already. */
    record Posted(long id, boolean duplicate) {}

    List<JsonNode> messages(String chat) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request(chat).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET answered " + r.statusCode() + ": " + r.body());
        }
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(r.body()).forEach(out::add);
        return out;
    }

    List<JsonNode> replies(String chat) throws IOException, InterruptedException {
        return messages(chat).stream().filter(m -> m.get("direction").asText().equals("out")).toList();
    }

    /** Waits until the chat has at least {@code count} replies, and returns them. */
    List<JsonNode> awaitReplies(String chat, int count, Duration timeout) throws IOException, InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<JsonNode> replies = replies(chat);
            if (replies.size() >= count) {
                return replies;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("chat " + chat + " has " + replies.size() + " replies after " + timeout
                        + ", wanted " + count + "; messages: " + messages(chat));
            }
            Thread.sleep(100);
        }
    }
}
