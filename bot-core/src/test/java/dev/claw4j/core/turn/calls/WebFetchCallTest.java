package dev.claw4j.core.turn.calls;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claw4j.core.web.WebFetchPolicy;
import dev.claw4j.core.web.WebFetcher;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * web_fetch against loopback web servers that speak real HTTP. The "allowed" site listens on 127.0.0.2, the one
 * address the test lets past the private-address rule (as an operator would with webFetch.allowPrivateAddresses);
 * the host's "own" service listens on 127.0.0.1, which stays refused. DNS is a seam: names resolve as each test
 * says.
 */
class WebFetchCallTest {
    static final InetAddress SITE;
    static final InetAddress HOST_ITSELF;

    static {
        try {
            SITE = InetAddress.getByName("127.0.0.2");
            HOST_ITSELF = InetAddress.getByName("127.0.0.1");
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    HttpServer site;
    HttpServer own;
    final AtomicInteger ownHits = new AtomicInteger();
    final List<Map<String, List<String>>> siteRequests = Collections.synchronizedList(new ArrayList<>());
    final List<String> siteBodies = Collections.synchronizedList(new ArrayList<>());
    final List<String> audit = Collections.synchronizedList(new ArrayList<>());
    final Map<String, InetAddress[]> dns = new HashMap<>();
    final CallContext context = new CallContext("g1", "turn-1", "web", "chat-1", null,
            (group, kind, detail) -> audit.add(group + " " + kind + " " + detail));
    int calls;

    @BeforeEach
    void start() throws IOException {
        site = HttpServer.create(new InetSocketAddress(SITE, 0), 0);
        site.createContext("/", this::serveSite);
        site.start();
        own = HttpServer.create(new InetSocketAddress(HOST_ITSELF, 0), 0);
        own.createContext("/", ex -> {
            ownHits.incrementAndGet();
            respond(ex, 200, "text/plain", "HOST-INTERNAL-SECRET".getBytes(StandardCharsets.UTF_8));
        });
        own.start();
        dns.put("site.test", new InetAddress[] {SITE});
    }

    @AfterEach
    void stop() {
        site.stop(0);
        own.stop(0);
    }

    private void serveSite(HttpExchange ex) throws IOException {
        siteRequests.add(Map.copyOf(ex.getRequestHeaders()));
        siteBodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
        String path = ex.getRequestURI().getPath();
        switch (path) {
            case "/page" -> respond(ex, 200, "text/html; charset=utf-8", """
                    <!doctype html><html><head><title>Release notes</title><script>var SECRET_JS = 1;</script>
                    <style>body { color: red }</style></head><body><h1>Version 2.0</h1><p>It is <b>faster</b>.</p>
                    <ul><li>one</li><li>two</li></ul><a href="/more">more</a></body></html>"""
                    .getBytes(StandardCharsets.UTF_8));
            case "/echo" -> respond(ex, 200, "text/plain", ("got " + ex.getRequestMethod() + " "
                    + siteBodies.getLast()).getBytes(StandardCharsets.UTF_8));
            case "/to-own" -> redirect(ex, "http://127.0.0.1:" + own.getAddress().getPort() + "/secret");
            case "/to-metadata" -> redirect(ex, "http://169.254.169.254/latest/meta-data/");
            case "/cookie" -> {
                ex.getResponseHeaders().add("Set-Cookie", "session=SESSION-COOKIE; Path=/");
                redirect(ex, "/echo");
            }
            case "/loop" -> redirect(ex, "/loop");
            case "/huge" -> {
                ex.sendResponseHeaders(200, 10L << 20);
                sendZeros(ex, 10L << 20);
            }
            case "/huge-chunked" -> {
                ex.sendResponseHeaders(200, 0);
                sendZeros(ex, 10L << 20);
            }
            case "/slow" -> {
                try {
                    Thread.sleep(5_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                respond(ex, 200, "text/plain", "late".getBytes(StandardCharsets.UTF_8));
            }
            default -> respond(ex, 404, "text/plain", "no such page".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void sendZeros(HttpExchange ex, long n) throws IOException {
        byte[] block = new byte[64 * 1024];
        java.util.Arrays.fill(block, (byte) 'A');
        try (OutputStream out = ex.getResponseBody()) {
            for (long sent = 0; sent < n; sent += block.length) {
                out.write(block);
            }
        } catch (IOException e) {
            // the fetcher hung up at its cap: that is the point
        }
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private static void respond(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().add("Content-Type", type);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private WebFetchCall call(List<String> allow, long maxBytes, Duration timeout) {
        return call(allow, maxBytes, timeout, Set.of(SITE));
    }

    private WebFetchCall call(List<String> allow, long maxBytes, Duration timeout, Set<InetAddress> privateOk) {
        WebFetchPolicy policy = new WebFetchPolicy(allow, Map.of("g2", List.of("other.test")), maxBytes, timeout,
                privateOk);
        WebFetcher.Resolver resolver = name -> {
            InetAddress[] a = dns.get(name);
            if (a == null) {
                throw new UnknownHostException(name);
            }
            return a;
        };
        return new WebFetchCall(new WebFetcher(policy, resolver, (SSLSocketFactory) SSLSocketFactory.getDefault()));
    }

    private WebFetchCall call(List<String> allow) {
        return call(allow, WebFetchPolicy.DEFAULT_MAX_BYTES, Duration.ofSeconds(20));
    }

    private HostMessage.HostResult fetch(WebFetchCall handler, String url) {
        return fetch(handler, Map.of("url", url));
    }

    private HostMessage.HostResult fetch(WebFetchCall handler, Map<String, String> args) {
        return (HostMessage.HostResult) handler.handle(context, new AgentMessage.HostCall("c" + (++calls), "turn-1",
                "web_fetch", args));
    }

    private String site(String path) {
        return "http://site.test:" + site.getAddress().getPort() + path;
    }

    @Test
    void anAllowedHostIsFetchedAndItsHtmlTurnedIntoText() {
        HostMessage.HostResult r = fetch(call(List.of("site.test")), site("/page"));

        assertThat(r.ok()).as(r.error()).isTrue();
        assertThat(r.result()).startsWith("HTTP 200 from " + site("/page"))
                .contains("# Release notes", "Version 2.0", "It is faster .", "- one", "- two",
                        "more (" + site("/more") + ")")
                .doesNotContain("SECRET_JS", "color: red", "<p>");
        assertThat(audit).singleElement().asString().startsWith("g1 web.fetch " + site("/page") + " status=200 bytes=");
    }

    @Test
    void aHostOffTheListIsRefusedWithTheLineThatWouldAllowIt() {
        dns.put("other.test", new InetAddress[] {SITE});
        HostMessage.HostResult r = fetch(call(List.of("site.test")), "http://other.test:"
                + site.getAddress().getPort() + "/page");

        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("other.test is not on this chat's web allowlist")
                .contains("webFetch: { allow: [other.test] }")
                .contains("webFetch: { groups: { g1: { allow: [other.test] } } }");
        assertThat(siteRequests).as("nothing was sent").isEmpty();
        assertThat(audit).singleElement().asString().startsWith("g1 web.fetch.refused http://other.test:");
    }

    @Test
    void aGroupsOwnEntriesAllowOnlyThatGroup() {
        dns.put("other.test", new InetAddress[] {SITE});
        WebFetchCall handler = call(List.of());
        String url = "http://other.test:" + site.getAddress().getPort() + "/page";
        assertThat(fetch(handler, url).ok()).as("g1 has no entry").isFalse();
        CallContext g2 = new CallContext("g2", "turn-2", "web", "chat-2", null,
                (group, kind, detail) -> audit.add(group + " " + kind + " " + detail));
        var r = (HostMessage.HostResult) handler.handle(g2, new AgentMessage.HostCall("x", "turn-2", "web_fetch",
                Map.of("url", url)));
        assertThat(r.ok()).as(r.error()).isTrue();
        assertThat(audit).hasSize(2).last().asString().startsWith("g2 web.fetch http://other.test");
    }

    @Test
    void aRedirectToTheHostsOwnLoopbackIsRefused() {
        // "*": every host is on the list, so what stops the redirect is the address guard alone
        HostMessage.HostResult r = fetch(call(List.of("*")), site("/to-own"));

        assertThat(siteRequests).as("the first hop ran").hasSize(1);
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("redirect 1 to http://127.0.0.1:").contains("a loopback address");
        assertThat(ownHits).as("the host's own service got no request").hasValue(0);
        assertThat(audit).singleElement().asString().contains("web.fetch.refused").contains("loopback");
    }

    @Test
    void aRedirectToTheMetadataAddressIsRefused() {
        HostMessage.HostResult r = fetch(call(List.of("*")), site("/to-metadata"));

        assertThat(siteRequests).hasSize(1);
        assertThat(r.error()).contains("169.254.169.254").contains("cloud metadata address");
    }

    @Test
    void aNameThatResolvesToAPrivateAddressIsRefusedBeforeAnyConnection() {
        dns.put("rebind.test", new InetAddress[] {HOST_ITSELF});
        dns.put("intranet.test", new InetAddress[] {publicAddress(), addr("10.1.2.3")});
        WebFetchCall handler = call(List.of("*"));

        HostMessage.HostResult r = fetch(handler, "http://rebind.test:" + own.getAddress().getPort() + "/secret");
        assertThat(r.error()).contains("rebind.test resolves to 127.0.0.1, a loopback address");
        HostMessage.HostResult mixed = fetch(handler, "http://intranet.test/");
        assertThat(mixed.error()).contains("intranet.test resolves to 10.1.2.3, a private address");

        assertThat(ownHits).hasValue(0);
        assertThat(audit).hasSize(2).allMatch(a -> a.contains("web.fetch.refused"));
    }

    @Test
    void anAddressLiteralIsCheckedToo() {
        HostMessage.HostResult r = fetch(call(List.of("*")), "http://127.0.0.1:" + own.getAddress().getPort() + "/");
        HostMessage.HostResult v6 = fetch(call(List.of("*")), "http://[::ffff:127.0.0.1]:"
                + own.getAddress().getPort() + "/");
        assertThat(r.error()).contains("loopback");
        assertThat(v6.error()).contains("loopback");
        assertThat(ownHits).hasValue(0);
    }

    @Test
    void aTenMegabyteBodyIsCutAtTheCapAndSaysSo() {
        WebFetchCall handler = call(List.of("site.test"));
        for (String path : List.of("/huge", "/huge-chunked")) {
            HostMessage.HostResult r = fetch(handler, site(path));
            assertThat(r.ok()).as(r.error()).isTrue();
            assertThat(r.result()).contains("2097152 bytes)").contains("the body was cut at 2097152 bytes")
                    .contains("the text was cut at 200000 characters");
            assertThat(r.result().length()).isLessThan(WebFetchCall.MAX_TEXT_CHARS + 1_000);
        }
        assertThat(audit).hasSize(2).allMatch(a -> a.contains("bytes=2097152 (cut)"));
    }

    @Test
    void aSlowServerIsCutOffAtTheTimeout() {
        long start = System.nanoTime();
        HostMessage.HostResult r = fetch(call(List.of("site.test"), 1 << 20, Duration.ofSeconds(1)), site("/slow"));
        assertThat(r.error()).contains("timed out after 1 s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
        assertThat(audit).singleElement().asString().contains("web.fetch.failed");
    }

    @Test
    void postSendsTheBody() {
        HostMessage.HostResult r = fetch(call(List.of("site.test")), Map.of("url", site("/echo"), "method", "POST",
                "body", "{\"q\": 1}"));
        assertThat(r.result()).contains("got POST {\"q\": 1}");
        assertThat(siteRequests.getFirst().get("Content-type")).containsExactly("application/json");
    }

    @Test
    void noCookieOrCredentialIsEverSent() {
        HostMessage.HostResult r = fetch(call(List.of("site.test")), site("/cookie"));
        assertThat(r.result()).contains("got GET");
        assertThat(siteRequests).hasSize(2).noneMatch(h -> h.containsKey("Cookie") || h.containsKey("Authorization"));

        HostMessage.HostResult withUser = fetch(call(List.of("site.test")),
                "http://me:pw@site.test:" + site.getAddress().getPort() + "/echo");
        assertThat(withUser.error()).contains("credentials in a URL are never sent");
        assertThat(siteRequests).hasSize(2);
    }

    @Test
    void anAddressThatDoesNotAnswerIsSkippedForTheNextCheckedOne() {
        InetAddress nobody = addr("127.0.0.3"); // nothing listens there: connection refused
        dns.put("two.test", new InetAddress[] {nobody, SITE});
        HostMessage.HostResult r = fetch(call(List.of("two.test"), 1 << 20, Duration.ofSeconds(5), Set.of(SITE, nobody)),
                "http://two.test:" + site.getAddress().getPort() + "/page");
        assertThat(r.ok()).as(r.error()).isTrue();
        assertThat(siteRequests).hasSize(1);
    }

    @Test
    void redirectsEndAfterFive() {
        HostMessage.HostResult r = fetch(call(List.of("site.test")), site("/loop"));
        assertThat(r.error()).contains("more than 5 redirects");
        assertThat(siteRequests).hasSize(6);
    }

    @Test
    void onlyHttpAndHttps() {
        WebFetchCall handler = call(List.of("*"));
        assertThat(fetch(handler, "file:///etc/passwd").error()).contains("only http and https");
        assertThat(fetch(handler, "gopher://site.test/").error()).contains("only http and https");
        assertThat(fetch(handler, "").error()).contains("no URL given");
    }

    @Test
    void everyFetchIsAudited() {
        WebFetchCall handler = call(List.of("site.test"));
        fetch(handler, site("/page"));
        fetch(handler, site("/nothing-here"));
        fetch(handler, "http://elsewhere.test/");
        fetch(handler, "file:///etc/passwd");
        assertThat(audit).hasSize(4);
        assertThat(audit.get(1)).contains("web.fetch ").contains("status=404");
        assertThat(audit.get(2)).contains("web.fetch.refused");
        assertThat(audit.get(3)).contains("web.fetch.refused");
    }

    private static InetAddress publicAddress() {
        return addr("93.184.215.14");
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
