package dev.claw4j.app.console;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claw4j.app.admin.AccessApi;
import dev.claw4j.app.admin.AdminToken;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.sandbox.GroupIds;
import dev.claw4j.core.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's console: server-rendered pages on their own listener (loopback by default), behind a login with
 * the admin token ({@code ./claw4j admin token}). On the JDK's HttpServer, like the admin endpoint: a handful of
 * pages and one SSE stream need no framework, and a virtual thread per request makes a long-lived stream cheap.
 * <p>
 * The walls, in the order a request meets them: the Host header must name this listener (DNS rebinding); a POST
 * must come from this console's own pages (Origin, or Referer when a browser sends no Origin; anything else is
 * 403); every page but the login needs a session cookie (random, HttpOnly, SameSite=Strict, kept server-side,
 * {@link ConsoleSessions#LIFETIME}); every POST but the login carries the session's CSRF token in a hidden field.
 * Wrong tokens are rate-limited. Pages allow only their own nonce'd style and script (CSP).
 */
public final class ConsoleServer implements AutoCloseable {
    static final String COOKIE = "claw4j_console";
    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);
    private static final int MAX_BODY = 16 * 1024;
    private static final int MAX_STREAMS = 16;

    private final Path dataDir;
    private final String bind;
    private final int requestedPort;
    private final Store store;
    private final HostView host;
    private final AccessApi access;
    private final ConsoleSources sources;
    private final Pages pages;
    private final ConsoleSessions sessions;
    private final Semaphore streams = new Semaphore(MAX_STREAMS);
    private volatile boolean running;
    private AdminToken token;
    private HttpServer server;
    private ExecutorService executor;
    private int port;
    private Set<String> hosts = Set.of();
    private Set<String> origins = Set.of();

    /** {@code port} 0 takes a free one. */
    public ConsoleServer(Path dataDir, String bind, int port, Store store, HostView host, AccessApi access,
                         ConsoleSources sources, Clock clock) {
        this.dataDir = dataDir;
        this.bind = bind;
        this.requestedPort = port;
        this.store = store;
        this.host = host;
        this.access = access;
        this.sources = sources;
        this.pages = new Pages(store, host, access, sources, clock);
        this.sessions = new ConsoleSessions(clock);
    }

    public synchronized void start() {
        token = AdminToken.of(dataDir);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(bind), requestedPort), 32);
        } catch (IOException e) {
            throw new UncheckedIOException("the console cannot listen on " + bind + ":" + requestedPort + ": "
                    + e.getMessage() + "; set admin.uiPort to a free port (or admin.console: false)", e);
        }
        port = server.getAddress().getPort();
        Set<String> names = new HashSet<>(Set.of("127.0.0.1", "localhost", "[::1]"));
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            names.add(bind.contains(":") ? "[" + bind + "]" : bind);
        }
        Set<String> h = new HashSet<>();
        Set<String> o = new HashSet<>();
        for (String n : names) {
            h.add(n + ":" + port);
            o.add("http://" + n + ":" + port);
        }
        hosts = Set.copyOf(h);
        origins = Set.copyOf(o);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        running = true;
        server.start();
        if (!InetAddress.getLoopbackAddress().getHostAddress().equals(bind) && !bind.equals("localhost")) {
            log.warn("the console listens on {}:{}, beyond this machine: it speaks plain HTTP, so put it behind TLS",
                    bind, port);
        }
        log.info("console on http://{}:{}/ (log in with the admin token: ./claw4j admin token)",
                bind.contains(":") ? "[" + bind + "]" : bind, port);
    }

    public int port() {
        return port;
    }

    // ---------------------------------------------------------------- the walls

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                route(ex);
            } catch (Refused r) {
                text(ex, r.status, r.getMessage());
            } catch (RuntimeException e) {
                log.warn("console: {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(), e.toString());
                text(ex, 500, "the host could not do that: " + e.getMessage() + " (see the host log)");
            }
        }
    }

    /** A request answered with {@code status} and this message, saying what to do instead. */
    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void checkHost(HttpExchange ex) {
        String h = ex.getRequestHeaders().getFirst("Host");
        if (h == null || !hosts.contains(h.toLowerCase(Locale.ROOT))) {
            throw new Refused(403, "Host '" + h + "' is not this console: open it as http://127.0.0.1:" + port + "/");
        }
    }

    /** A state-changing request must come from this console's own pages. */
    private void checkOrigin(HttpExchange ex) {
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin == null) {
            String referer = ex.getRequestHeaders().getFirst("Referer");
            if (referer != null) {
                try {
                    URI r = new URI(referer);
                    origin = r.getScheme() + "://" + r.getRawAuthority();
                } catch (java.net.URISyntaxException e) {
                    origin = referer;
                }
            }
        }
        if (origin == null || !origins.contains(origin.toLowerCase(Locale.ROOT))) {
            throw new Refused(403, "a POST from " + (origin == null ? "a page that does not say where it is" : origin)
                    + " is refused: only the console's own pages may change things");
        }
    }

    private ConsoleSessions.Session session(HttpExchange ex) {
        String cookies = ex.getRequestHeaders().getFirst("Cookie");
        if (cookies == null) {
            return null;
        }
        for (String part : cookies.split(";")) {
            String[] kv = part.strip().split("=", 2);
            if (kv.length == 2 && kv[0].equals(COOKIE)) {
                return sessions.find(kv[1]).orElse(null);
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- routes

    private void route(HttpExchange ex) throws IOException {
        checkHost(ex);
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        boolean post = method.equals("POST");
        if (!post && !method.equals("GET")) {
            throw new Refused(405, "use GET for pages and POST (from the pages' buttons) for actions");
        }
        if (post) {
            checkOrigin(ex);
        }
        if (path.equals("/login")) {
            if (post) {
                login(ex);
            } else {
                html(ex, 200, nonce -> Pages.login(nonce, null));
            }
            return;
        }
        ConsoleSessions.Session s = session(ex);
        if (s == null) {
            if (post) {
                throw new Refused(401, "not logged in (or the login expired): log in again at /login");
            }
            redirect(ex, "/login");
            return;
        }
        if (post) {
            Map<String, String> form = form(ex);
            if (!s.csrfMatches(form.get("csrf"))) {
                throw new Refused(403, "the form's CSRF token is missing or stale: reload the page and try again");
            }
            action(ex, s, path, form);
            return;
        }
        Map<String, String> query = parse(ex.getRequestURI().getRawQuery());
        switch (path) {
            case "/" -> html(ex, 200, nonce -> pages.overview(nonce, s.csrf, s.takeFlash()));
            case "/events" -> events(ex, s);
            case "/groups" -> html(ex, 200, nonce -> pages.groups(nonce, s.csrf, s.takeFlash()));
            case "/access" -> html(ex, 200, nonce -> pages.access(nonce, s.csrf, s.takeFlash()));
            case "/tasks" -> html(ex, 200, nonce -> pages.tasks(nonce, s.csrf, s.takeFlash()));
            default -> {
                if (path.startsWith("/groups/")) {
                    String g = group(path.substring("/groups/".length()));
                    html(ex, 200, nonce -> pages.group(g, nonce, s.csrf, s.takeFlash(), query.get("kind"), query.get("q"),
                            null));
                } else {
                    throw new Refused(404, "no page " + path + " here: the pages are /, /groups, /access and /tasks");
                }
            }
        }
    }

    private void login(HttpExchange ex) throws IOException {
        if (!sessions.mayTry()) {
            html(ex, 429, nonce -> Pages.login(nonce, "Too many wrong tokens in the last minute: wait a minute, then "
                    + "paste the token ./claw4j admin token prints."));
            return;
        }
        if (!token.matches(form(ex).get("token"))) {
            sessions.failed();
            log.warn("console: a login with a wrong admin token");
            html(ex, 401, nonce -> Pages.login(nonce, "That is not the admin token. ./claw4j admin token prints it."));
            return;
        }
        ConsoleSessions.Session s = sessions.open();
        ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + s.id + "; Path=/; HttpOnly; SameSite=Strict; Max-Age="
                + ConsoleSessions.LIFETIME.toSeconds());
        log.info("console: logged in");
        redirect(ex, "/");
    }

    private void action(HttpExchange ex, ConsoleSessions.Session s, String path, Map<String, String> form)
            throws IOException {
        String by = "console";
        if (path.equals("/logout")) {
            sessions.close(s);
            ex.getResponseHeaders().add("Set-Cookie", COOKIE + "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
            redirect(ex, "/login");
            return;
        }
        if (path.startsWith("/groups/")) {
            String rest = path.substring("/groups/".length());
            int slash = rest.lastIndexOf('/');
            if (slash < 0) {
                throw new Refused(404, "no action " + path + ": the group actions are reset, stop, pause, resume, "
                        + "budget and budget-clear");
            }
            String g = group(rest.substring(0, slash));
            String verb = rest.substring(slash + 1);
            if (verb.equals("budget") || verb.equals("budget-clear")) {
                budgetAction(ex, s, g, verb, form);
                return;
            }
            s.flash = switch (verb) {
                case "reset" -> host.resetConversation(g, by) ? "Started a fresh conversation for " + g
                        + " (its files and memory stay)."
                        : "Could not reset " + g + ": its .claw4j folder is not a plain folder (see its audit trail).";
                case "stop" -> host.stopSandbox(g) ? "Stopped the sandbox of " + g + "; its folder stays."
                        : g + " had no sandbox running.";
                case "pause" -> host.pause(g, by) ? "Paused " + g + ": its messages are kept and wait for resume."
                        : g + " was paused already.";
                case "resume" -> host.resume(g, by) ? "Resumed " + g + "; the messages it held are queued."
                        : g + " was not paused.";
                default -> throw new Refused(404, "no action " + verb + ": the group actions are reset, stop, pause, "
                        + "resume, budget and budget-clear");
            };
            redirect(ex, "/groups");
            return;
        }
        switch (path) {
            case "/access/approve" -> {
                String code = required(form, "code");
                s.flash = access.approve(code).map(a -> "Approved " + (a.chatId() != null
                        ? "group chat " + a.platform() + ":" + a.chatId() : a.userName() + " (" + a.platform() + ":"
                        + a.userId() + ")") + ".").orElse("No pending code " + code + ": it may be used already or "
                        + "expired (the person gets a new one by writing again).");
                redirect(ex, "/access");
            }
            case "/access/deny" -> {
                String code = required(form, "code");
                s.flash = access.deny(code) ? "Denied code " + code + "." : "No pending code " + code + ".";
                redirect(ex, "/access");
            }
            case "/access/revoke" -> {
                String platform = required(form, "platform");
                String userId = form.get("userId");
                String chatId = form.get("chatId");
                if ((userId == null) == (chatId == null)) {
                    throw new Refused(400, "send platform and either userId (a person) or chatId (a group chat)");
                }
                boolean revoked = userId != null ? access.revoke(platform, userId) : access.revokeChat(platform, chatId);
                String who = platform + ":" + (userId != null ? userId : chatId);
                s.flash = revoked ? "Revoked " + who + "." : who + " had no access granted by a code.";
                redirect(ex, "/access");
            }
            default -> {
                if (path.startsWith("/tasks/")) {
                    String rest = path.substring("/tasks/".length());
                    int slash = rest.lastIndexOf('/');
                    ConsoleSources.TaskAction a = slash < 0 ? null : switch (rest.substring(slash + 1)) {
                        case "pause" -> ConsoleSources.TaskAction.PAUSE;
                        case "resume" -> ConsoleSources.TaskAction.RESUME;
                        case "run" -> ConsoleSources.TaskAction.RUN_NOW;
                        default -> null;
                    };
                    if (a == null) {
                        throw new Refused(404, "no action " + path + ": the task actions are pause, resume and run");
                    }
                    s.flash = sources.taskAction(URLDecoder.decode(rest.substring(0, slash), StandardCharsets.UTF_8), a);
                    redirect(ex, "/tasks");
                } else {
                    throw new Refused(404, "no action " + path + " here");
                }
            }
        }
    }

    /**
     * The group page's budget form: sets the override (an empty field is no limit) or clears it. Bad input changes
     * nothing and shows the group's page again with what is wrong.
     */
    private void budgetAction(HttpExchange ex, ConsoleSessions.Session s, String g, String verb,
                              Map<String, String> form) throws IOException {
        if (sources.budgetLimits(g).isEmpty()) {
            throw new Refused(404, "this host has no budgets, so there is nothing to override for " + g);
        }
        if (verb.equals("budget-clear")) {
            s.flash = sources.clearBudgetOverride(g);
        } else {
            Limits limits;
            try {
                limits = new Limits(tokens(form, "dailyTokens", "daily tokens"),
                        tokens(form, "monthlyTokens", "monthly tokens"), money(form, "dailyCost", "daily cost"),
                        money(form, "monthlyCost", "monthly cost"));
            } catch (IllegalArgumentException e) {
                String error = "Budget not changed: " + e.getMessage();
                html(ex, 400, nonce -> pages.group(g, nonce, s.csrf, null, null, null, error));
                return;
            }
            s.flash = sources.setBudgetOverride(g, limits);
        }
        redirect(ex, "/groups/" + Html.url(g));
    }

    private static Long tokens(Map<String, String> form, String field, String label) {
        String v = form.get(field);
        if (v == null) {
            return null;
        }
        try {
            long n = Long.parseLong(v.strip().replace(",", "").replace("_", ""));
            if (n <= 0) {
                throw new IllegalArgumentException(label + " must be more than 0, got " + v.strip()
                        + "; leave the field empty for no limit");
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(label + " must be a whole number of tokens, got '" + v.strip()
                    + "'; leave the field empty for no limit");
        }
    }

    private static BigDecimal money(Map<String, String> form, String field, String label) {
        String v = form.get(field);
        if (v == null) {
            return null;
        }
        BigDecimal n;
        try {
            n = new BigDecimal(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(label + " must be an amount of money like 5 or 2.50, got '" + v.strip()
                    + "'; leave the field empty for no limit");
        }
        if (n.signum() <= 0) {
            throw new IllegalArgumentException(label + " must be more than 0, got " + v.strip()
                    + "; leave the field empty for no limit");
        }
        return n;
    }

    /** A group named in a path: a valid id of a group that exists. */
    private String group(String raw) {
        String g;
        try {
            g = URLDecoder.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Refused(404, "no group " + raw + ": the groups page lists them");
        }
        try {
            GroupIds.requireValid(g);
        } catch (IllegalArgumentException e) {
            throw new Refused(404, e.getMessage());
        }
        if (!store.groups().groups().contains(g)) {
            throw new Refused(404, "there is no group " + g + ": the groups page lists them");
        }
        return g;
    }

    private static String required(Map<String, String> form, String name) {
        String v = form.get(name);
        if (v == null) {
            throw new Refused(400, "the form has no " + name + ": use the buttons on the page");
        }
        return v;
    }

    // ---------------------------------------------------------------- live overview (SSE)

    /** Sends the overview's live part once a second when it changed, while the session and the server live. */
    private void events(HttpExchange ex, ConsoleSessions.Session s) throws IOException {
        if (!streams.tryAcquire()) {
            throw new Refused(503, "too many console pages are open at once (" + MAX_STREAMS + "): close some");
        }
        try {
            ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            ex.sendResponseHeaders(200, 0);
            OutputStream out = ex.getResponseBody();
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            out.flush();
            String last = null;
            int quiet = 0;
            while (running && sessions.alive(s)) {
                String now = pages.overviewFragment();
                if (!now.equals(last)) {
                    // the fragment has no newlines of its own; any inside text is split over data: lines
                    StringBuilder frame = new StringBuilder("event: overview\n");
                    for (String line : now.split("\n", -1)) {
                        frame.append("data: ").append(line).append('\n');
                    }
                    out.write(frame.append('\n').toString().getBytes(StandardCharsets.UTF_8));
                    out.flush();
                    last = now;
                    quiet = 0;
                } else if (++quiet >= 15) {
                    out.write(": still here\n\n".getBytes(StandardCharsets.UTF_8)); // finds a closed page
                    out.flush();
                    quiet = 0;
                }
                Thread.sleep(1000);
            }
        } catch (IOException e) {
            log.debug("console: a live page went away: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            streams.release();
        }
    }

    // ---------------------------------------------------------------- plumbing

    private interface Render {
        String page(String nonce);
    }

    private void html(HttpExchange ex, int status, Render render) throws IOException {
        String nonce = sessions.randomToken();
        byte[] bytes = render.page(nonce).getBytes(StandardCharsets.UTF_8);
        var h = ex.getResponseHeaders();
        h.set("Content-Type", "text/html; charset=utf-8");
        h.set("Content-Security-Policy", "default-src 'none'; style-src 'nonce-" + nonce + "'; script-src 'nonce-"
                + nonce + "'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        secure(ex);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void text(HttpExchange ex, int status, String message) throws IOException {
        byte[] bytes = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        secure(ex);
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void redirect(HttpExchange ex, String to) throws IOException {
        ex.getResponseHeaders().set("Location", to);
        secure(ex);
        ex.sendResponseHeaders(303, -1);
    }

    private static void secure(HttpExchange ex) {
        var h = ex.getResponseHeaders();
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("X-Frame-Options", "DENY");
        // same-origin, not no-referrer: with no-referrer a browser sends "Origin: null" on a form POST
        h.set("Referrer-Policy", "same-origin");
    }

    private static Map<String, String> form(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/x-www-form-urlencoded")) {
            throw new Refused(415, "send the page's form (application/x-www-form-urlencoded), got " + type);
        }
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new Refused(413, "the form is over " + MAX_BODY + " bytes");
        }
        return parse(new String(body, StandardCharsets.UTF_8));
    }

    /** {@code a=1&b=2}, decoded; blank values count as absent. */
    static Map<String, String> parse(String encoded) {
        Map<String, String> out = new HashMap<>();
        if (encoded == null || encoded.isEmpty()) {
            return out;
        }
        for (String pair : encoded.split("&")) {
            String[] kv = pair.split("=", 2);
            try {
                String k = URLDecoder.decode(kv[0], StandardCharsets.UTF_8);
                String v = kv.length == 2 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "";
                if (!v.isBlank()) {
                    out.putIfAbsent(k, v);
                }
            } catch (IllegalArgumentException e) {
                throw new Refused(400, "the form or query is not properly encoded: " + e.getMessage());
            }
        }
        return out;
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        running = false;
        server.stop(0);
        executor.close();
        server = null;
    }
}
