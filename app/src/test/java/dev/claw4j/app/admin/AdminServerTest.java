package dev.claw4j.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint over real HTTP on loopback: what it answers, and what it refuses. */
@OnBothDatabases
class AdminServerTest {
    private final TestDatabase database;

    AdminServerTest(TestDatabase database) {
        this.database = database;
    }

    @TempDir
    Path data;
    private Store store;
    private AccessStore access;
    private AdminServer server;
    private String token;

    @BeforeEach
    void start() {
        store = database.open();
        access = new AccessStore(store.dataSource());
        access.addCode(new AccessStore.PairingCode("ABCD2345", "web", "bob", "Bob", Instant.now().plusSeconds(3600)),
                Instant.now());
        server = new AdminServer(data, 0, new AccessAdmin(store, "pairing", List.of("web:ann"), List.of("web:boss"),
                "admin-api", Clock.systemUTC()));
        server.start();
        token = AdminToken.of(data).value();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private record Answer(int status, String body) {}

    /** One request as bytes on a socket, so every header (Host included) is exactly what a test says. */
    private Answer raw(String method, String path, String body, String... headers) throws IOException {
        try (Socket s = new Socket(InetAddress.getByName("127.0.0.1"), server.port())) {
            StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nConnection: close\r\n");
            for (String h : headers) {
                req.append(h).append("\r\n");
            }
            byte[] bytes = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
            req.append("Content-Length: ").append(bytes.length).append("\r\n\r\n");
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.UTF_8));
            out.write(bytes);
            out.flush();
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = Integer.parseInt(response.substring(9, 12));
            return new Answer(status, response.substring(response.indexOf("\r\n\r\n") + 4));
        }
    }

    private String host() {
        return "Host: 127.0.0.1:" + server.port();
    }

    private String bearer() {
        return "Authorization: Bearer " + token;
    }

    @Test
    void theTokenAndPortFilesAreTheOwnersOnlyAndThePortFileNamesThisProcess() throws Exception {
        assertThat(mode(data)).isEqualTo("rwx------");
        assertThat(mode(data.resolve(AdminToken.FILE))).isEqualTo("rw-------");
        assertThat(mode(data.resolve(AdminServer.PORT_FILE))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(data.resolve(AdminServer.PORT_FILE)))
                .containsExactly(String.valueOf(server.port()), String.valueOf(ProcessHandle.current().pid()));
        assertThat(token).hasSizeGreaterThanOrEqualTo(40);
        assertThat(AdminToken.of(data).value()).as("made once, kept").isEqualTo(token);
        server.close();
        assertThat(data.resolve(AdminServer.PORT_FILE)).as("removed when the host stops").doesNotExist();
    }

    @Test
    void withTheTokenItListsApprovesAndRevokes() throws Exception {
        Answer list = raw("GET", "/admin/api/access", null, host(), bearer());
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("\"dmPolicy\":\"pairing\"").contains("\"code\":\"ABCD2345\"")
                .contains("web:boss");

        Answer approved = raw("POST", "/admin/api/access/approve", "{\"code\": \"abcd2345\"}", host(), bearer(),
                "Content-Type: application/json; charset=utf-8");
        assertThat(approved.status()).isEqualTo(200);
        assertThat(approved.body()).contains("\"userId\":\"bob\"");
        assertThat(access.isGranted("web", "bob")).isTrue();
        assertThat(store.audit().auditByKind("access.granted")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("web:bob").contains("admin-api"));
        assertThat(raw("POST", "/admin/api/access/approve", "{\"code\": \"ABCD2345\"}", host(), bearer(),
                "Content-Type: application/json").status()).as("a code is used once").isEqualTo(404);

        Answer revoked = raw("POST", "/admin/api/access/revoke", "{\"platform\": \"web\", \"userId\": \"bob\"}", host(),
                bearer(), "Content-Type: application/json");
        assertThat(revoked.body()).isEqualTo("{\"revoked\":true}");
        assertThat(access.isGranted("web", "bob")).isFalse();
        assertThat(store.audit().auditByKind("access.revoked")).hasSize(1);

        assertThat(raw("POST", "/admin/api/access/approve", "{code", host(), bearer(), "Content-Type: application/json")
                .status()).isEqualTo(400);
        assertThat(raw("GET", "/admin/api/nothing", null, host(), bearer()).status()).isEqualTo(404);
        // a page of the endpoint's own origin (the admin pages to come) may call it
        assertThat(raw("GET", "/admin/api/access", null, host(), bearer(), "Origin: http://127.0.0.1:" + server.port())
                .status()).isEqualTo(200);
    }

    @Test
    void aMissingOrWrongTokenIsRefused() throws Exception {
        Answer none = raw("GET", "/admin/api/access", null, host());
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body()).contains("admin token").doesNotContain("ABCD2345").doesNotContain(token);
        assertThat(raw("GET", "/admin/api/access", null, host(), "Authorization: Bearer " + token + "x").status())
                .isEqualTo(401);
        assertThat(raw("GET", "/admin/api/access", null, host(), "Authorization: Basic " + token).status())
                .isEqualTo(401);
        Answer approve = raw("POST", "/admin/api/access/approve", "{\"code\": \"ABCD2345\"}", host(),
                "Content-Type: application/json");
        assertThat(approve.status()).isEqualTo(401);
        assertThat(access.isGranted("web", "bob")).isFalse();
    }

    @Test
    void aForeignOriginOrHostIsRefusedEvenWithTheToken() throws Exception {
        // a page on another site (the browser adds Origin), and DNS rebinding (the browser sends the attacker's Host)
        Answer foreign = raw("POST", "/admin/api/access/approve", "{\"code\": \"ABCD2345\"}", host(), bearer(),
                "Content-Type: application/json", "Origin: http://evil.example");
        assertThat(foreign.status()).isEqualTo(403);
        assertThat(foreign.body()).contains("http://evil.example");
        assertThat(raw("GET", "/admin/api/access", null, host(), bearer(), "Origin: null").status()).isEqualTo(403);
        Answer rebound = raw("GET", "/admin/api/access", null, "Host: evil.example:" + server.port(), bearer());
        assertThat(rebound.status()).isEqualTo(403);
        assertThat(rebound.body()).contains("evil.example").doesNotContain("ABCD2345");
        assertThat(raw("GET", "/admin/api/access", null, "Host: localhost:" + server.port(), bearer()).status())
                .isEqualTo(200);
        assertThat(access.isGranted("web", "bob")).isFalse();
    }

    @Test
    void aPostThatIsNotJsonIsRefused() throws Exception {
        // what a form or a no-preflight fetch from a page can send: text/plain with a JSON-looking body
        Answer plain = raw("POST", "/admin/api/access/approve", "{\"code\": \"ABCD2345\"}", host(), bearer(),
                "Content-Type: text/plain");
        assertThat(plain.status()).isEqualTo(415);
        assertThat(plain.body()).contains("application/json");
        assertThat(raw("POST", "/admin/api/access/approve", "code=ABCD2345", host(), bearer(),
                "Content-Type: application/x-www-form-urlencoded").status()).isEqualTo(415);
        assertThat(raw("POST", "/admin/api/access/approve", "{\"code\": \"ABCD2345\"}", host(), bearer()).status())
                .isEqualTo(415);
        assertThat(access.isGranted("web", "bob")).isFalse();
        assertThat(access.pendingCodes(Instant.now())).hasSize(1);
    }

    @Test
    void theClientReachesTheRunningHost() {
        AdminClient client = AdminClient.ifRunning(data).orElseThrow();
        AccessApi.Overview overview = client.overview();
        assertThat(overview.pending()).extracting(AccessApi.Pending::code).containsExactly("ABCD2345");
        assertThat(overview.allowedUsers()).containsExactly("web:ann");
        assertThat(client.approve("ABCD2345")).hasValue(new AccessApi.Approved("web", "bob", "Bob"));
        assertThat(client.approve("ABCD2345")).isEmpty();
        assertThat(client.overview().granted()).extracting(AccessApi.Granted::userId).containsExactly("bob");
        assertThat(client.revoke("web", "bob")).isTrue();
        assertThat(client.revoke("web", "bob")).isFalse();
    }

    @Test
    void aGroupChatsCodeIsListedApprovedForTheChatAndRevoked() {
        access.addCode(new AccessStore.PairingCode("GRPC2345", "telegram", "77", "Zed",
                Instant.now().plusSeconds(3600), "-100123"), Instant.now());
        AdminClient client = AdminClient.ifRunning(data).orElseThrow();
        assertThat(client.overview().pending()).filteredOn(p -> "-100123".equals(p.chatId()))
                .extracting(AccessApi.Pending::code).containsExactly("GRPC2345");
        assertThat(client.approve("GRPC2345")).hasValue(new AccessApi.Approved("telegram", "77", "Zed", "-100123"));
        assertThat(access.isChatGranted("telegram", "-100123")).isTrue();
        assertThat(access.isGranted("telegram", "77")).as("the chat, not the person").isFalse();
        assertThat(client.overview().grantedChats()).extracting(AccessApi.GrantedChat::chatId)
                .containsExactly("-100123");
        assertThat(store.audit().auditByKind("access.granted")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("chat telegram:-100123"));
        assertThat(client.revoke("telegram", "77")).as("a person's revoke does not touch the chat").isFalse();
        assertThat(client.revokeChat("telegram", "-100123")).isTrue();
        assertThat(client.revokeChat("telegram", "-100123")).isFalse();
        assertThat(access.isChatGranted("telegram", "-100123")).isFalse();
    }

    @Test
    void aPortFileLeftByADeadProcessIsNotTrustedWithTheToken() throws Exception {
        server.close();
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        // someone else now listens on the port the file names
        try (ServerSocket squatter = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            Files.writeString(data.resolve(AdminServer.PORT_FILE), squatter.getLocalPort() + "\n" + gone.pid() + "\n");
            assertThat(AdminClient.ifRunning(data)).isEmpty();
            squatter.setSoTimeout(500);
            try (Socket s = squatter.accept(); InputStream in = s.getInputStream()) {
                throw new AssertionError("the client connected and sent: " + new String(in.readNBytes(200)));
            } catch (SocketTimeoutException expected) {
                // nobody came
            }
            // and with a live process named, the client does connect (so the check above can fail)
            Files.writeString(data.resolve(AdminServer.PORT_FILE), squatter.getLocalPort() + "\n"
                    + ProcessHandle.current().pid() + "\n");
            Thread client = Thread.ofVirtual().start(() -> {
                try {
                    AdminClient.ifRunning(data);
                } catch (RuntimeException e) {
                    // the squatter does not answer like claw4j
                }
            });
            squatter.setSoTimeout(5000);
            try (Socket s = squatter.accept()) {
                assertThat(s).isNotNull();
            }
            client.interrupt();
        }
    }

    private static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }
}
