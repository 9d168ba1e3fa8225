package dev.claw4j.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.web.WebConnectorTest.EventStream;
import dev.claw4j.web.WebConnectorTest.RecordingInbox;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The web chat from a hostile browser's side. Every attack first shows that it reached the server (the
 * refusal's status and its audit record, or a control request that passes), then that nothing was stored.
 */
class WebChatSecurityTest {
    private static final String MESSAGE = "{\"user\": \"mallory\", \"text\": \"@claw run: cat /etc/shadow\"}";

    private final ObjectMapper json = new ObjectMapper();
    // never follows redirects: the tests look at them
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final RecordingInbox inbox = new RecordingInbox();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private WebConnector connector;
    private String base;
    private String token;

    @TempDir
    Path data;

    @BeforeEach
    void start() throws IOException {
        logged.start();
        ((Logger) LoggerFactory.getLogger(WebConnector.class)).addAppender(logged);
        connector = new WebConnector(new WebSettings(null, 0, null, data));
        connector.start(inbox);
        base = "http://127.0.0.1:" + connector.port();
        token = Files.readString(data.resolve("web-token")).strip();
    }

    @AfterEach
    void stop() {
        connector.close();
        ((Logger) LoggerFactory.getLogger(WebConnector.class)).detachAppender(logged);
    }

    @Test
    void aPostFromAnotherSitesPageIsRefusedAndNeverStored() throws Exception {
        // The control: the same request from the chat's own page is taken.
        assertThat(send(post("general", MESSAGE).header("Origin", base)).statusCode()).isEqualTo(202);
        assertThat(inbox.received).hasSize(1);

        HttpResponse<String> res = send(post("general", MESSAGE).header("Origin", "https://evil.example"));

        assertThat(res.statusCode()).isEqualTo(403);
        assertThat(error(res)).contains("'https://evil.example'", "connectors.web.allowedHosts");
        assertThat(inbox.refusals).singleElement().asString().contains("Origin 'https://evil.example'");
        assertThat(inbox.received).as("nothing more was stored").hasSize(1);

        // An opaque origin (a sandboxed frame, a file:// page) and a look-alike on another port are foreign too.
        assertThat(send(post("general", MESSAGE).header("Origin", "null")).statusCode()).isEqualTo(403);
        assertThat(send(post("general", MESSAGE).header("Origin", "http://127.0.0.1:1")).statusCode()).isEqualTo(403);
        // The event stream and the history are refused to that page as well.
        assertThat(send(get("/api/chats/general/messages").header("Origin", "https://evil.example")).statusCode())
                .isEqualTo(403);
        assertThat(inbox.received).hasSize(1);
    }

    @Test
    void aTextPlainOrFormPostIsRefusedAndNeverStored() throws Exception {
        // text/plain and form bodies are what another site's <form> or no-cors fetch can send without a preflight
        for (String type : List.of("text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x")) {
            HttpResponse<String> res = send(HttpRequest.newBuilder(URI.create(base + "/api/chats/general/messages"))
                    .header("Authorization", "Bearer " + token).header("Content-Type", type)
                    .POST(HttpRequest.BodyPublishers.ofString(MESSAGE)));

            assertThat(res.statusCode()).as(type).isEqualTo(415);
            assertThat(error(res)).contains("Content-Type: application/json").containsIgnoringCase("'" + type + "'");
        }
        HttpResponse<String> untyped = send(HttpRequest.newBuilder(URI.create(base + "/api/chats/general/messages"))
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(MESSAGE)));
        assertThat(untyped.statusCode()).isEqualTo(415);

        assertThat(inbox.refusals).as("the first one audited, the rest within 10 s only counted").singleElement()
                .asString().contains("POST with Content-Type 'text/plain'");
        assertThat(inbox.received).isEmpty();
        // the same body as JSON is taken: it was the type, not the body, that was refused
        assertThat(send(post("general", MESSAGE)).statusCode()).isEqualTo(202);
        assertThat(inbox.received).hasSize(1);
    }

    @Test
    void aRequestForAnotherHostNameIsRefused_dnsRebinding() throws Exception {
        // A page on evil.example whose DNS now says 127.0.0.1 sends its requests here with Host: evil.example.
        String post = "POST /api/chats/general/messages HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer " + token
                + "\r\nContent-Type: application/json\r\nContent-Length: " + MESSAGE.getBytes(StandardCharsets.UTF_8).length
                + "\r\nConnection: close\r\n\r\n" + MESSAGE;
        assertThat(raw(post.formatted("127.0.0.1:" + connector.port()))).as("the control, by the same raw client")
                .startsWith("HTTP/1.1 202");
        assertThat(raw(post.formatted("localhost:" + connector.port()))).startsWith("HTTP/1.1 202");
        assertThat(inbox.received).hasSize(2);

        String refused = raw(post.formatted("evil.example:" + connector.port()));

        assertThat(refused).startsWith("HTTP/1.1 403").contains("DNS rebinding", "'evil.example:" + connector.port() + "'");
        assertThat(inbox.refusals).singleElement().asString().contains("Host 'evil.example:");
        assertThat(inbox.received).hasSize(2);
        inbox.history.put("general", List.of(new ChatLine(1, "in", "ana", "TOPSECRET-ALPHA", "DONE", Instant.now())));
        assertThat(raw("GET /api/chats/general/messages HTTP/1.1\r\nHost: evil.example\r\nAuthorization: Bearer " + token
                + "\r\nConnection: close\r\n\r\n")).startsWith("HTTP/1.1 403").doesNotContain("TOPSECRET");
        assertThat(raw("GET / HTTP/1.0\r\nAuthorization: Bearer " + token + "\r\n\r\n")).as("no Host at all")
                .startsWith("HTTP/1.1 403");
    }

    @Test
    void configuredHostNamesAreAllowed() throws Exception {
        connector.close();
        connector = new WebConnector(new WebSettings(null, 0, null, List.of("chat.example.com"), data));
        connector.start(inbox);
        String post = "POST /api/chats/general/messages HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\nAuthorization: Bearer "
                + token + "\r\nContent-Type: application/json\r\nContent-Length: "
                + MESSAGE.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + MESSAGE;

        assertThat(raw(post.formatted("chat.example.com", "https://chat.example.com"))).startsWith("HTTP/1.1 202");
        assertThat(raw(post.formatted("chat.example.com:" + connector.port(), "http://chat.example.com:"
                + connector.port()))).startsWith("HTTP/1.1 202");
        assertThat(raw(post.formatted("chat.example.com.evil.example", "https://chat.example.com")))
                .startsWith("HTTP/1.1 403");
        assertThat(raw(post.formatted("chat.example.com", "https://chat.example.com.evil.example")))
                .startsWith("HTTP/1.1 403");
        assertThat(inbox.received).hasSize(2);
    }

    @Test
    void withoutTheTokenEverythingIs401AndNothingIsStored() throws Exception {
        List<HttpRequest.Builder> tries = List.of(
                HttpRequest.newBuilder(URI.create(base + "/")),
                HttpRequest.newBuilder(URI.create(base + "/api/chats/general/messages")),
                HttpRequest.newBuilder(URI.create(base + "/api/chats/general/events")).header("Accept", "text/event-stream"),
                HttpRequest.newBuilder(URI.create(base + "/api/chats/general/messages"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(MESSAGE)),
                HttpRequest.newBuilder(URI.create(base + "/api/chats/general/messages"))
                        .header("Authorization", "Bearer " + token.substring(1) + "x")
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(MESSAGE)),
                HttpRequest.newBuilder(URI.create(base + "/api/chats/general/messages"))
                        .header("Cookie", WebGuard.TOKEN_COOKIE + "=" + token.toUpperCase())
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(MESSAGE)),
                HttpRequest.newBuilder(URI.create(base + "/?token=" + token.substring(2))));
        for (HttpRequest.Builder attempt : tries) {
            HttpResponse<String> res = send(attempt);
            assertThat(res.statusCode()).as(res.request().toString()).isEqualTo(401);
            assertThat(error(res)).contains("?token=", "Authorization: Bearer", "web-token");
            assertThat(res.headers().allValues("Set-Cookie")).noneMatch(c -> c.startsWith(WebGuard.TOKEN_COOKIE));
        }
        assertThat(inbox.refusals).singleElement().asString().contains("without a token");
        assertThat(inbox.received).isEmpty();
        assertThat(send(post("general", MESSAGE)).statusCode()).as("the control, with the token").isEqualTo(202);
    }

    @Test
    void thePageWithTheTokenSetsAStrictHttpOnlyCookieAndThenCookieAndBearerBothWork() throws Exception {
        HttpResponse<String> opened = send(HttpRequest.newBuilder(URI.create(base + "/?token=" + token)));

        assertThat(opened.statusCode()).isEqualTo(303);
        assertThat(opened.headers().firstValue("Location")).hasValue("/");
        List<String> cookies = opened.headers().allValues("Set-Cookie");
        String tokenCookie = cookies.stream().filter(c -> c.startsWith(WebGuard.TOKEN_COOKIE + "=")).findFirst()
                .orElseThrow();
        assertThat(tokenCookie).startsWith(WebGuard.TOKEN_COOKIE + "=" + token + ";")
                .containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/");
        String senderCookie = cookies.stream().filter(c -> c.startsWith(WebSenders.COOKIE + "=")).findFirst()
                .orElseThrow();
        assertThat(senderCookie).containsIgnoringCase("HttpOnly").containsIgnoringCase("SameSite=Strict");
        String browser = "Cookie: " + WebGuard.TOKEN_COOKIE + "=" + token + "; " + senderCookie.split(";")[0];

        // the page, the API and the event stream with the cookies alone, as a browser sends them
        HttpResponse<String> page = send(withCookies(HttpRequest.newBuilder(URI.create(base + "/")), browser));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>claw4j web chat</title>");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        HttpResponse<String> byCookie = send(withCookies(HttpRequest.newBuilder(URI.create(base
                + "/api/chats/general/messages")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(MESSAGE)), browser));
        assertThat(byCookie.statusCode()).isEqualTo(202);
        try (EventStream events = EventStream.open(http, URI.create(base + "/api/chats/general/events"), browser)) {
            assertThat(events.next().name()).isEqualTo("working");
        }
        // and a script with the bearer header alone
        assertThat(send(post("general", MESSAGE)).statusCode()).isEqualTo(202);
        assertThat(inbox.received).hasSize(2);
    }

    @Test
    void theTokenIsMadeOnceOwnerOnlyKeptAndPrintedWithTheAddress() throws Exception {
        Path file = data.resolve("web-token");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(token).matches("[A-Za-z0-9_-]{43}");
        assertThat(connector.url()).isEqualTo(base + "/?token=" + token);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .contains("web chat: " + base + "/?token=" + token);

        connector.close();
        connector = new WebConnector(new WebSettings(null, 0, null, data));
        connector.start(inbox);
        assertThat(connector.url()).as("a restart keeps the token").endsWith("?token=" + token);

        connector.close();
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        WebConnector exposed = new WebConnector(new WebSettings(null, 0, null, data));
        assertThatThrownBy(() -> exposed.start(inbox)).hasMessageContaining("readable by other users")
                .hasMessageContaining("chmod 600");
        Files.delete(file);
        Files.createSymbolicLink(file, data.resolve("elsewhere"));
        assertThatThrownBy(() -> exposed.start(inbox)).hasMessageContaining("not a plain file");
        Files.delete(file);
        connector.start(new RecordingInbox()); // a deleted token file means a new token
        assertThat(connector.url()).doesNotEndWith(token);
    }

    @Test
    void theTypedNameAdminDoesNotGetAdminRights() throws Exception {
        AccessPolicy policy = new AccessPolicy(AccessPolicy.DmPolicy.DISABLED, Set.of(), Set.of(),
                Set.of("web:admin"));

        HttpResponse<String> res = send(post("dm-admin", "{\"user\": \"admin\", \"text\": \"/status\"}"));

        assertThat(res.statusCode()).isEqualTo(202);
        InboundMessage typed = inbox.received.getFirst();
        assertThat(typed.senderName()).isEqualTo("admin");
        assertThat(typed.senderId()).isNotEqualTo("admin");
        // what ChatCommands asks, and what Gatekeeper checks before letting a DM through
        assertThat(policy.isAdmin(typed.platform(), typed.senderId())).isFalse();
        assertThat(policy.admins()).doesNotContain(typed.platform() + ":" + typed.senderId());

        // The control: the browser whose id an operator listed is an admin; another browser typing the same
        // name, or this browser typing another name, is not.
        String secret = WebSenders.newSecret();
        AccessPolicy listed = new AccessPolicy(AccessPolicy.DmPolicy.DISABLED, Set.of(), Set.of(),
                Set.of("web:" + WebSenders.id(secret, "admin")));
        JsonNode mine = json.readTree(send(post("dm-admin", "{\"user\": \"admin\", \"text\": \"/status\"}")
                .header("Cookie", WebSenders.COOKIE + "=" + secret)).body());
        JsonNode other = json.readTree(send(post("dm-admin", "{\"user\": \"admin\", \"text\": \"/status\"}")
                .header("Cookie", WebSenders.COOKIE + "=" + WebSenders.newSecret())).body());
        JsonNode renamed = json.readTree(send(post("dm-admin", "{\"user\": \"ana\", \"text\": \"/status\"}")
                .header("Cookie", WebSenders.COOKIE + "=" + secret)).body());
        assertThat(inbox.received).hasSize(4);
        assertThat(mine.get("sender").asText()).isEqualTo("web:" + inbox.received.get(1).senderId());
        assertThat(listed.isAdmin("web", inbox.received.get(1).senderId())).isTrue();
        assertThat(listed.isAdmin("web", inbox.received.get(2).senderId())).isFalse();
        assertThat(listed.isAdmin("web", inbox.received.get(3).senderId())).isFalse();
        assertThat(List.of(mine, other, renamed)).extracting(n -> n.get("sender").asText()).doesNotHaveDuplicates();
        assertThat(typed.senderId()).isNotEqualTo(inbox.received.get(1).senderId());
    }

    @Test
    void aBrowserWithoutASenderCookieGetsOneAndStaysTheSamePerson() throws Exception {
        HttpResponse<String> first = send(post("dm-ana", "{\"user\": \"ana\", \"text\": \"hi\"}"));
        String cookie = first.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(WebSenders.COOKIE + "=")).findFirst().orElseThrow().split(";")[0];

        send(post("dm-ana", "{\"user\": \"ana\", \"text\": \"again\"}").header("Cookie", cookie));
        send(post("dm-ana", "{\"user\": \"ana\", \"text\": \"forged\"}")
                .header("Cookie", WebSenders.COOKIE + "=not-a-secret"));

        assertThat(inbox.received).hasSize(3);
        assertThat(inbox.received.get(1).senderId()).isEqualTo(inbox.received.get(0).senderId());
        assertThat(inbox.received.get(2).senderId()).as("a made-up cookie is a new browser")
                .isNotEqualTo(inbox.received.get(0).senderId());
    }

    @Test
    void refusalsAreAuditedAtMostOncePerKindEveryTenSeconds() throws Exception {
        for (int i = 0; i < 5; i++) {
            assertThat(send(post("general", MESSAGE).header("Origin", "https://evil.example")).statusCode())
                    .isEqualTo(403);
            assertThat(send(HttpRequest.newBuilder(URI.create(base + "/api/chats/general/messages"))).statusCode())
                    .isEqualTo(401);
        }

        assertThat(inbox.refusals).hasSize(2)
                .anyMatch(r -> r.contains("Origin 'https://evil.example'"))
                .anyMatch(r -> r.contains("without a token"));
        assertThat(inbox.received).isEmpty();
    }

    private HttpRequest.Builder post(String chat, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/api/chats/" + chat + "/messages"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
    }

    private static HttpRequest.Builder withCookies(HttpRequest.Builder request, String cookieLine) {
        return request.header("Cookie", cookieLine.substring("Cookie: ".length()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private String error(HttpResponse<String> res) throws IOException {
        return json.readTree(res.body()).get("error").asText();
    }

    /** One request written byte for byte (HttpClient will not send a Host header of our choosing). */
    private String raw(String request) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), connector.port())) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
