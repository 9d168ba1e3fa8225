package dev.claw4j.app.console;

import dev.claw4j.core.store.MessageStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.app.admin.AccessAdmin;
import dev.claw4j.app.admin.AdminToken;
import dev.claw4j.app.admin.BudgetsAdmin;
import dev.claw4j.core.budget.BudgetSettings;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The console over real HTTP on loopback, with an in-memory store and a fake host: what it shows, what it refuses. */
@OnBothDatabases
class ConsoleServerTest {
    private final TestDatabase database;

    ConsoleServerTest(TestDatabase database) {
        this.database = database;
    }

    private static final Pattern CSRF = Pattern.compile("name=csrf value=\"([^\"]+)\"");

    @TempDir
    Path data;
    private Store store;
    private ConsoleServer server;
    private String token;
    private String group;
    private final FakeHost host = new FakeHost();

    @BeforeEach
    void start() {
        store = database.open();
        store.chats().ensureChat("web", "team", ChatKind.GROUP);
        group = store.groups().bindNewGroup("web:chat:team", "web-team-abc123");
        long id = store.messages().insertInbound(new InboundMessage("web", "team", null, "web:mallory", "mallory",
                "<script>document.title='owned'</script> hi", "m1", ChatKind.GROUP, true, Instant.now()), MessageStatus.PENDING)
                .orElseThrow();
        store.messages().assignGroup(id, group);
        store.audit().record(group, "tool.finished", "bash ls -la → exit 2 failed 12ms", "gvisor (runsc)");
        store.audit().record(group, "model.call", "claw4j-demo OK in 40 ms, 1 attempt(s)", "gvisor (runsc)");
        new AccessStore(store.dataSource()).addCode(new AccessStore.PairingCode("ABCD2345", "web", "web:bob", "Bob",
                Instant.now().plusSeconds(3600)), Instant.now());
        server = new ConsoleServer(data, "127.0.0.1", 0, store, host, new AccessAdmin(store, "pairing", List.of(),
                List.of(), "console", Clock.systemUTC()), ConsoleSources.NONE, Clock.systemUTC());
        server.start();
        token = AdminToken.of(data).value();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    @Test
    void aPageNeedsALoginAndOnlyTheAdminTokenGivesOne() throws IOException {
        assertThat(get("/", null).header("location")).isEqualTo("/login");
        Answer wrong = login("not-the-token");
        assertThat(wrong.status).isEqualTo(401);
        assertThat(wrong.body).contains("That is not the admin token");
        assertThat(wrong.header("set-cookie")).isNull();

        Answer right = login(token);
        assertThat(right.status).isEqualTo(303);
        assertThat(right.header("set-cookie")).startsWith(ConsoleServer.COOKIE + "=")
                .contains("HttpOnly").contains("SameSite=Strict").contains("Max-Age=");
        String cookie = cookie(right);
        Answer overview = get("/", cookie);
        assertThat(overview.status).isEqualTo(200);
        assertThat(overview.body).contains("Sandboxes live: 1").contains("claw4j-web-team-abc123-1")
                .contains("gvisor (runsc)");
        assertThat(overview.header("content-security-policy")).contains("script-src 'nonce-");
        assertThat(get("/", ConsoleServer.COOKIE + "=made-up").header("location")).isEqualTo("/login");
    }

    @Test
    void wrongTokensAreRateLimited() throws IOException {
        for (int i = 0; i < ConsoleSessions.MAX_FAILURES; i++) {
            assertThat(login("guess-" + i).status).isEqualTo(401);
        }
        Answer limited = login(token);
        assertThat(limited.status).as("even the right token waits once the limit is hit").isEqualTo(429);
        assertThat(limited.body).contains("wait a minute");
    }

    @Test
    void agentTextIsShownAsTextNeverAsMarkup() throws IOException {
        String page = get("/groups/" + group, cookie(login(token))).body;
        assertThat(page).contains("&lt;script&gt;document.title=&#39;owned&#39;&lt;/script&gt; hi")
                .doesNotContain("<script>document.title");
        assertThat(page).contains("bash ls -la → exit 2 failed 12ms").contains("claw4j-demo OK in 40 ms");
        String filtered = get("/groups/" + group + "?kind=tool.finished&q=", cookie(login(token))).body;
        assertThat(filtered).contains("exit 2").doesNotContain("claw4j-demo OK");
        String byText = get("/groups/" + group + "?q=DEMO", cookie(login(token))).body;
        assertThat(byText).contains("claw4j-demo OK").doesNotContain("bash ls -la");
        assertThat(get("/groups/" + group + "?q=%25", cookie(login(token))).body).as("a % is a character, not a wildcard")
                .contains("showing 0 of 2 events");
    }

    @Test
    void actionsNeedTheSessionsCsrfTokenAndTheConsolesOwnOrigin() throws IOException {
        String cookie = cookie(login(token));
        String csrf = csrf(get("/groups", cookie).body);

        // from the console's own page, with its token: the group is paused
        Answer ok = post("/groups/" + group + "/pause", cookie, origin(), "csrf=" + csrf);
        assertThat(ok.status).isEqualTo(303);
        assertThat(host.paused).containsExactly(group);
        assertThat(get("/groups", cookie).body).contains("Paused " + group).contains("<b>paused</b>");

        // the same request from another site's page is refused before anything happens
        Answer foreign = post("/groups/" + group + "/resume", cookie, "http://evil.example", "csrf=" + csrf);
        assertThat(foreign.status).isEqualTo(403);
        assertThat(foreign.body).contains("only the console's own pages");
        Answer noOrigin = post("/groups/" + group + "/resume", cookie, null, "csrf=" + csrf);
        assertThat(noOrigin.status).isEqualTo(403);
        // and without the token, or with another session's, from the right origin
        assertThat(post("/groups/" + group + "/resume", cookie, origin(), "").status).isEqualTo(403);
        String other = csrf(get("/groups", cookie(login(token))).body);
        assertThat(post("/groups/" + group + "/resume", cookie, origin(), "csrf=" + other).status).isEqualTo(403);
        assertThat(host.paused).as("still paused: no refused request acted").containsExactly(group);

        assertThat(post("/groups/" + group + "/resume", cookie, origin(), "csrf=" + csrf).status).isEqualTo(303);
        assertThat(host.paused).isEmpty();
        assertThat(post("/groups/" + group + "/stop", cookie, origin(), "csrf=" + csrf).status).isEqualTo(303);
        assertThat(host.stopped).containsExactly(group);
        assertThat(post("/groups/no-such-group/stop", cookie, origin(), "csrf=" + csrf).status).isEqualTo(404);
    }

    @Test
    void aForeignHostIsRefused() throws IOException {
        Answer rebound = send("GET", "/login", Map.of("Host", "evil.example:" + server.port()), null);
        assertThat(rebound.status).isEqualTo(403);
        assertThat(rebound.body).contains("is not this console");
    }

    @Test
    void pendingCodesAreApprovedAndDeniedFromTheAccessPage() throws IOException {
        new AccessStore(store.dataSource()).addCode(new AccessStore.PairingCode("WXYZ6789", "web", "web:eve", "Eve",
                Instant.now().plusSeconds(3600)), Instant.now());
        String cookie = cookie(login(token));
        String page = get("/access", cookie).body;
        assertThat(page).contains("ABCD2345").contains("Bob").contains("WXYZ6789");
        String csrf = csrf(page);
        assertThat(post("/access/approve", cookie, origin(), "csrf=" + csrf + "&code=ABCD2345").status).isEqualTo(303);
        assertThat(get("/access", cookie).body).contains("Approved Bob (web:web:bob).");
        assertThat(post("/access/deny", cookie, origin(), "csrf=" + csrf + "&code=WXYZ6789").status).isEqualTo(303);
        AccessStore access = new AccessStore(store.dataSource());
        assertThat(access.isGranted("web", "web:bob")).isTrue();
        assertThat(access.isGranted("web", "web:eve")).isFalse();
        assertThat(access.pendingCodes(Instant.now())).isEmpty();
        assertThat(store.audit().auditByKind("access.denied")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("web:eve").contains("by console"));

        String after = get("/access", cookie).body;
        assertThat(after).contains("Denied code WXYZ6789.").contains("Revoke");
        assertThat(post("/access/revoke", cookie, origin(), "csrf=" + csrf + "&platform=web&userId=web%3Abob").status)
                .isEqualTo(303);
        assertThat(access.isGranted("web", "web:bob")).isFalse();
    }

    @Test
    void theOverviewIsStreamedOverSse() throws IOException {
        String cookie = cookie(login(token));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("GET /events HTTP/1.1\r\nHost: 127.0.0.1:" + server.port() + "\r\nCookie: "
                    + cookie + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            StringBuilder seen = new StringBuilder();
            byte[] buf = new byte[8192];
            while (!seen.toString().contains("id=errors")) {
                int n = in.read(buf);
                assertThat(n).as("the stream ended early: %s", seen).isPositive();
                seen.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            }
            assertThat(seen.toString()).contains("text/event-stream").contains("event: overview")
                    .contains("data: <section id=connectors>").contains("claw4j-web-team-abc123-1");
        }
        assertThat(send("GET", "/events", Map.of("Host", "127.0.0.1:" + server.port()), null).header("location"))
                .as("no stream without a login").isEqualTo("/login");
    }

    @Test
    void theTasksPageSaysWhenThereIsNoScheduler() throws IOException {
        assertThat(get("/tasks", cookie(login(token))).body).contains("Scheduled tasks: not available yet");
    }

    @Test
    void theGroupPageSetsAndClearsABudgetOverrideAndRefusesBadInput() throws IOException {
        Budgets budgets = new Budgets(store.dataSource(), new BudgetSettings(new Limits(1000L, null, null, null),
                Map.of(), Map.of(), "USD", ZoneId.of("UTC")), Clock.systemUTC());
        server.close();
        server = new ConsoleServer(data, "127.0.0.1", 0, store, host, new AccessAdmin(store, "pairing", List.of(),
                List.of(), "console", Clock.systemUTC()), new BudgetsAdmin(budgets, store, "console"), Clock.systemUTC());
        server.start();
        String cookie = cookie(login(token));
        String page = get("/groups/" + group, cookie).body;
        assertThat(page).contains("id=budget-form").contains("daily tokens 1000")
                .contains("data-source=\"default\"").doesNotContain("Clear override");
        String csrf = csrf(page);
        String budget = "/groups/" + group + "/budget";

        // set: empty fields are no limit; the page shows the override and where it comes from
        Answer set = post(budget, cookie, origin(), "csrf=" + csrf + "&dailyTokens=5000&monthlyTokens=&dailyCost="
                + "&monthlyCost=12.50");
        assertThat(set.status).isEqualTo(303);
        assertThat(budgets.override(group)).contains(new Limits(5000L, null, null, new BigDecimal("12.5")));
        String after = get("/groups/" + group, cookie).body;
        assertThat(after).contains("Set the budget override of " + group).contains("data-source=\"override\"")
                .contains("daily tokens 5000 · monthly cost 12.5 USD").contains("Clear override");
        assertThat(store.audit().auditByKind("budget.override")).singleElement().satisfies(e -> assertThat(e.detail())
                .contains("set by console").contains("5,000 tokens a day").contains("12.50 USD a month")
                .contains("was 1,000 tokens a day from the default"));

        // bad input: the page says what is wrong and nothing changes
        for (String bad : List.of("dailyTokens=-5", "dailyTokens=lots", "monthlyCost=0", "dailyCost=1e", "dailyTokens=1.5")) {
            Answer refused = post(budget, cookie, origin(), "csrf=" + csrf + "&" + bad);
            assertThat(refused.status).as(bad).isEqualTo(400);
            assertThat(refused.body).as(bad).contains("id=budget-error").contains("Budget not changed: ")
                    .containsAnyOf("must be more than 0", "must be a whole number", "must be an amount of money");
        }
        assertThat(post(budget, cookie, origin(), "csrf=" + csrf + "&dailyTokens=lots").body)
                .contains("daily tokens must be a whole number of tokens, got &#39;lots&#39;");

        // a foreign page, a missing or another session's token: refused before anything happens
        assertThat(post(budget, cookie, "http://evil.example", "csrf=" + csrf + "&dailyTokens=1").status).isEqualTo(403);
        assertThat(post(budget, cookie, null, "csrf=" + csrf + "&dailyTokens=1").status).isEqualTo(403);
        assertThat(post(budget, cookie, origin(), "dailyTokens=1").status).isEqualTo(403);
        String other = csrf(get("/groups", cookie(login(token))).body);
        assertThat(post(budget, cookie, origin(), "csrf=" + other + "&dailyTokens=1").status).isEqualTo(403);
        assertThat(post("/groups/" + group + "/budget-clear", cookie, "http://evil.example", "csrf=" + csrf).status)
                .isEqualTo(403);
        assertThat(budgets.override(group)).as("unchanged by every refused request")
                .contains(new Limits(5000L, null, null, new BigDecimal("12.5")));
        assertThat(store.audit().auditByKind("budget.override")).hasSize(1);

        // clear: back to the default
        assertThat(post("/groups/" + group + "/budget-clear", cookie, origin(), "csrf=" + csrf).status).isEqualTo(303);
        assertThat(budgets.override(group)).isEmpty();
        assertThat(get("/groups/" + group, cookie).body).contains("Cleared the budget override of " + group)
                .contains("data-source=\"default\"").doesNotContain("Clear override");
        assertThat(store.audit().auditByKind("budget.override.cleared")).singleElement()
                .satisfies(e -> assertThat(e.detail()).contains("by console"));
    }

    @Test
    void withoutBudgetsTheGroupPageHasNoBudgetForm() throws IOException {
        String cookie = cookie(login(token));
        String page = get("/groups/" + group, cookie).body;
        assertThat(page).doesNotContain("id=budget-form");
        assertThat(post("/groups/" + group + "/budget", cookie, origin(), "csrf=" + csrf(page) + "&dailyTokens=5")
                .status).isEqualTo(404);
    }

    // ---------------------------------------------------------------- plumbing

    private String origin() {
        return "http://127.0.0.1:" + server.port();
    }

    private Answer login(String t) throws IOException {
        return post("/login", null, origin(), "token=" + URLEncoder.encode(t, StandardCharsets.UTF_8));
    }

    private static String cookie(Answer login) {
        String set = login.header("set-cookie");
        assertThat(set).as("a session cookie").isNotNull();
        return set.split(";", 2)[0];
    }

    private static String csrf(String page) {
        Matcher m = CSRF.matcher(page);
        assertThat(m.find()).as("a CSRF field in the page").isTrue();
        return m.group(1);
    }

    private Answer get(String path, String cookie) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + server.port());
        if (cookie != null) {
            h.put("Cookie", cookie);
        }
        return send("GET", path, h, null);
    }

    private Answer post(String path, String cookie, String origin, String form) throws IOException {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Host", "127.0.0.1:" + server.port());
        h.put("Content-Type", "application/x-www-form-urlencoded");
        if (cookie != null) {
            h.put("Cookie", cookie);
        }
        if (origin != null) {
            h.put("Origin", origin);
        }
        return send("POST", path, h, form);
    }

    private record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** One request as bytes on a socket, every header exactly as given (java.net.http will not set Host). */
    private Answer send(String method, String path, Map<String, String> headers, String body) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\nConnection: close\r\n");
        headers.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
        req.append("Content-Length: ").append(content.length).append("\r\n\r\n");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int end = answer.indexOf("\r\n\r\n");
            String[] head = answer.substring(0, end).split("\r\n");
            Map<String, String> h = new ConcurrentHashMap<>();
            for (int i = 1; i < head.length; i++) {
                String[] kv = head[i].split(":", 2);
                h.put(kv[0].strip().toLowerCase(), kv[1].strip());
            }
            return new Answer(Integer.parseInt(head[0].split(" ")[1]), h, answer.substring(end + 4));
        }
    }

    /** A host with one live sandbox for the web-team group, recording what the console asked of it. */
    private static final class FakeHost implements HostView {
        final Set<String> paused = ConcurrentHashMap.newKeySet();
        final List<String> stopped = new ArrayList<>();

        @Override
        public List<ConnectorState> connectors() {
            return List.of(new ConnectorState("web", true, Instant.now()), new ConnectorState("slack", false, null));
        }

        @Override
        public List<SandboxState> sandboxes() {
            return List.of(new SandboxState("web-team-abc123", "claw4j-web-team-abc123-1", "gvisor (runsc)",
                    Instant.now().minusSeconds(5), "512 MiB, 1.0 CPU, 256 pids", LiveHost.NO_STATS));
        }

        @Override
        public QueueState queue() {
            return new QueueState(1, 4, List.of());
        }

        @Override
        public boolean hasSandbox(String groupId) {
            return !stopped.contains(groupId);
        }

        @Override
        public boolean stopSandbox(String groupId) {
            return stopped.add(groupId);
        }

        @Override
        public boolean resetConversation(String groupId, String by) {
            return true;
        }

        @Override
        public boolean pause(String groupId, String by) {
            return paused.add(groupId);
        }

        @Override
        public boolean resume(String groupId, String by) {
            return paused.remove(groupId);
        }

        @Override
        public boolean isPaused(String groupId) {
            return paused.contains(groupId);
        }
    }
}
