package dev.claw4j.app.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.store.PrivateFiles;
import dev.claw4j.core.store.Store;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host's local admin endpoint: a small JSON API on 127.0.0.1 only, for the {@code ./claw4j access} commands
 * while the host runs (it holds the database) and for the operator's admin pages later. Every request needs
 * {@code Authorization: Bearer <admin token>}; a request whose Host is not this address, or that comes from a
 * page of another origin, is refused (DNS rebinding, cross-site requests), and so is a POST that is not
 * {@code application/json} (no form or text/plain request from a browser gets through). The port is written to
 * {@code <dataDir>/admin.port} (0600) with this process's id on a second line, so a client can tell a live host
 * from a file a crash left.
 *
 * <pre>
 * GET  /admin/api/access                                  → Overview
 * POST /admin/api/access/approve {"code": "..."}          → Approved, or 404
 * POST /admin/api/access/revoke  {"platform": "...", "userId": "..."} → {"revoked": true|false}
 * POST /admin/api/access/revoke  {"platform": "...", "chatId": "..."} → {"revoked": true|false} (a group chat)
 * GET  /admin/api/budgets?group=ID                        → the group's usage and the limits in force
 * POST /admin/api/budgets/override {"group", "dailyTokens", "monthlyTokens", "dailyCost", "monthlyCost"} → usage
 * POST /admin/api/budgets/clear    {"group": "..."}       → {"cleared": true|false}
 * GET  /metrics                                           → the meters in Prometheus' text format (0.0.4)
 * GET  /admin/api/tasks                                   → [TaskLine] (every group's scheduled tasks)
 * POST /admin/api/tasks/{pause|resume|cancel|run} {"id": "12"} → Changed, or 404 for no such task
 * </pre>
 */
public final class AdminServer implements AutoCloseable {
    public static final String PORT_FILE = "admin.port";
    /** The endpoint as a Prometheus {@code file_sd_configs} target list, rewritten at each start (the port changes). */
    public static final String PROMETHEUS_TARGETS_FILE = "prometheus-targets.json";
    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final int MAX_BODY = 16 * 1024;
    private static final String LOOPBACK = "127.0.0.1";

    private final Path dataDir;
    private final int requestedPort;
    private final AccessApi access;
    private final Supplier<String> metrics;
    private final TasksApi tasks;
    private final ObjectMapper json = new ObjectMapper();
    private final BudgetsApi budgets;
    private AdminToken token;
    private HttpServer server;
    private ExecutorService executor;
    private int port;
    private Set<String> hosts = Set.of();
    private Set<String> origins = Set.of();

    /** {@code port} 0 takes a free one. */
    public AdminServer(Path dataDir, int port, AccessApi access) {
        this(dataDir, port, access, null, null);
    }

    /** @param metrics the meters in Prometheus' text format, scraped at {@code GET /metrics}; null for none */
    public AdminServer(Path dataDir, int port, AccessApi access, Supplier<String> metrics) {
        this(dataDir, port, access, metrics, null);
    }

    /** @param budgets per-group budgets, read and overridden under {@code /admin/api/budgets}; null for none */
    public AdminServer(Path dataDir, int port, AccessApi access, Supplier<String> metrics, Budgets budgets) {
        this(dataDir, port, access, metrics, budgets, null);
    }

    /** @param tasks the scheduled tasks, under {@code /admin/api/tasks}; null: those calls answer 404 */
    public AdminServer(Path dataDir, int port, AccessApi access, Supplier<String> metrics, Budgets budgets,
                       TasksApi tasks) {
        this(dataDir, port, access, metrics, budgets, null, tasks);
    }

    /** @param auditTo where budget overrides set or cleared here are audited ({@code budget.override}); null: nowhere */
    public AdminServer(Path dataDir, int port, AccessApi access, Supplier<String> metrics, Budgets budgets,
                       Store auditTo, TasksApi tasks) {
        this.budgets = budgets == null ? null : new BudgetsApi(budgets, auditTo);
        this.metrics = metrics;
        this.dataDir = dataDir;
        this.requestedPort = port;
        this.access = access;
        this.tasks = tasks;
    }

    /** Makes the token if there is none, listens, and then writes the port file. */
    public synchronized void start() {
        token = AdminToken.of(dataDir);
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(LOOPBACK), requestedPort), 16);
        } catch (IOException e) {
            throw new UncheckedIOException("the admin endpoint cannot listen on " + LOOPBACK + ":" + requestedPort
                    + ": " + e.getMessage() + "; choose a free port", e);
        }
        port = server.getAddress().getPort();
        hosts = Set.of(LOOPBACK + ":" + port, "localhost:" + port);
        origins = Set.of("http://" + LOOPBACK + ":" + port, "http://localhost:" + port);
        executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
        try {
            PrivateFiles.replace(dataDir.resolve(PORT_FILE), port + "\n" + ProcessHandle.current().pid() + "\n");
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("cannot write " + dataDir.resolve(PORT_FILE) + ": " + e.getMessage()
                    + "; check that the data directory is writable", e);
        }
        log.info("admin endpoint on http://{}:{}/admin/api/ (token in {})", LOOPBACK, port,
                dataDir.resolve(AdminToken.FILE));
        if (metrics != null) {
            try {
                PrivateFiles.replace(dataDir.resolve(PROMETHEUS_TARGETS_FILE),
                        "[{\"targets\": [\"" + LOOPBACK + ":" + port + "\"]}]\n");
            } catch (IOException e) {
                log.warn("could not write {}: {}; Prometheus finds the port in {} instead", PROMETHEUS_TARGETS_FILE,
                        e.getMessage(), PORT_FILE);
            }
        }
    }

    public int port() {
        return port;
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            try {
                check(ex);
                route(ex);
            } catch (Refused r) {
                send(ex, r.status, Map.of("error", r.getMessage()));
            } catch (RuntimeException e) {
                log.warn("admin endpoint: {} {} failed: {}", ex.getRequestMethod(), ex.getRequestURI().getPath(),
                        e.toString());
                send(ex, 500, Map.of("error", "the host could not do that: " + e.getMessage()));
            }
        }
    }

    /** A request answered with {@code status} and this message, saying what to send instead. */
    private static final class Refused extends RuntimeException {
        final int status;

        Refused(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    /** Refuses what is not for this endpoint before anything is looked at. */
    private void check(HttpExchange ex) {
        String host = ex.getRequestHeaders().getFirst("Host");
        if (host == null || !hosts.contains(host.toLowerCase(Locale.ROOT))) {
            throw new Refused(403, "Host '" + host + "' is not this endpoint: call it as " + LOOPBACK + ":" + port);
        }
        String origin = ex.getRequestHeaders().getFirst("Origin");
        if (origin != null && !origins.contains(origin.toLowerCase(Locale.ROOT))) {
            throw new Refused(403, "requests from the page " + origin + " are refused: only claw4j's own admin pages "
                    + "may call this");
        }
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        String presented = auth != null && auth.regionMatches(true, 0, "Bearer ", 0, 7) ? auth.substring(7).strip() : null;
        if (!token.matches(presented)) {
            throw new Refused(401, "missing or wrong admin token: send Authorization: Bearer <the token in "
                    + dataDir.resolve(AdminToken.FILE) + "> (./claw4j admin token prints it)");
        }
        if (ex.getRequestMethod().equals("POST")) {
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            String media = type == null ? "" : type.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
            if (!media.equals("application/json")) {
                throw new Refused(415, "send the body as Content-Type: application/json (got " + type + ")");
            }
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        switch (path) {
            case "/metrics" -> {
                if (metrics == null) {
                    send(ex, 404, Map.of("error", "this host serves no metrics"));
                } else if (method.equals("GET")) {
                    sendText(ex, metrics.get());
                } else {
                    send(ex, 405, Map.of("error", "use GET " + path));
                }
            }
            case "/admin/api/access" -> {
                if (method.equals("GET")) {
                    send(ex, 200, access.overview());
                } else {
                    send(ex, 405, Map.of("error", "use GET " + path));
                }
            }
            case "/admin/api/access/approve" -> {
                if (!method.equals("POST")) {
                    send(ex, 405, Map.of("error", "use POST " + path + " with {\"code\": \"...\"}"));
                    return;
                }
                String code = field(readJson(ex), "code");
                if (code == null) {
                    send(ex, 400, Map.of("error", "send {\"code\": \"ABCD2345\"}: the code a person got from the bot"));
                    return;
                }
                var approved = access.approve(code);
                if (approved.isPresent()) {
                    send(ex, 200, approved.get());
                } else {
                    send(ex, 404, Map.of("error", "no pending code " + code + ": it may be mistyped, used already, or "
                            + "older than an hour (the person gets a new one by writing again)"));
                }
            }
            case "/admin/api/access/revoke" -> {
                if (!method.equals("POST")) {
                    send(ex, 405, Map.of("error", "use POST " + path + " with {\"platform\": \"...\", \"userId\": \"...\"}"));
                    return;
                }
                JsonNode body = readJson(ex);
                String platform = field(body, "platform");
                String userId = field(body, "userId");
                String chatId = field(body, "chatId");
                if (platform == null || (userId == null) == (chatId == null)) {
                    send(ex, 400, Map.of("error", "send {\"platform\": \"web\", \"userId\": \"ana\"} for a person "
                            + "or {\"platform\": \"telegram\", \"chatId\": \"-100123\"} for a group chat"));
                    return;
                }
                send(ex, 200, Map.of("revoked", userId != null ? access.revoke(platform, userId)
                        : access.revokeChat(platform, chatId)));
            }
            case "/admin/api/budgets", "/admin/api/budgets/override", "/admin/api/budgets/clear" -> {
                if (budgets == null) {
                    send(ex, 404, Map.of("error", "this host has no budgets"));
                    return;
                }
                BudgetsApi.Answer answer = path.endsWith("/budgets")
                        ? method.equals("GET") ? budgets.show(query(ex, "group"))
                                : new BudgetsApi.Answer(405, Map.of("error", "use GET " + path + "?group=<group id>"))
                        : method.equals("POST") ? budgets.post(path.substring(path.lastIndexOf('/') + 1), readJson(ex))
                                : new BudgetsApi.Answer(405, Map.of("error", "use POST " + path));
                send(ex, answer.status(), answer.body());
            }
            case "/admin/api/tasks" -> {
                if (tasks == null) {
                    send(ex, 404, Map.of("error", "this host has no scheduled tasks"));
                } else if (method.equals("GET")) {
                    send(ex, 200, tasks.tasks());
                } else {
                    send(ex, 405, Map.of("error", "use GET " + path));
                }
            }
            case "/admin/api/tasks/pause", "/admin/api/tasks/resume", "/admin/api/tasks/cancel", "/admin/api/tasks/run" -> {
                if (tasks == null || !method.equals("POST")) {
                    send(ex, tasks == null ? 404 : 405, Map.of("error", "use POST " + path + " with {\"id\": \"12\"}"));
                    return;
                }
                String id = field(readJson(ex), "id");
                if (id == null || !id.strip().matches("\\d{1,18}")) {
                    send(ex, 400, Map.of("error", "send {\"id\": \"12\"}: the task's number, as tasks list shows it"));
                    return;
                }
                send(ex, 200, tasks.change(path.substring(path.lastIndexOf('/') + 1), Long.parseLong(id.strip())));
            }
            default -> send(ex, 404, Map.of("error", "no " + path + " here; the API is under /admin/api/"));
        }
    }

    private static String query(HttpExchange ex, String name) {
        String q = ex.getRequestURI().getQuery();
        if (q == null) {
            return null;
        }
        for (String pair : q.split("&")) {
            if (pair.startsWith(name + "=")) {
                return java.net.URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    private JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readNBytes(MAX_BODY + 1);
        }
        if (body.length > MAX_BODY) {
            throw new Refused(413, "the body is over " + MAX_BODY + " bytes; send only the fields the call needs");
        }
        try {
            return json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new Refused(400, "the body is not JSON: " + e.getOriginalMessage());
        }
    }

    private static String field(JsonNode body, String name) {
        JsonNode value = body == null ? null : body.get(name);
        return value != null && value.isTextual() && !value.asText().isBlank() ? value.asText() : null;
    }

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void sendText(HttpExchange ex, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    /** Stops listening and removes the port file, if it is still this process's. */
    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        server.stop(0);
        executor.close();
        server = null;
        Path file = dataDir.resolve(PORT_FILE);
        try {
            if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).startsWith(port + "\n")) {
                Files.delete(file);
            }
        } catch (IOException e) {
            log.debug("admin endpoint: could not remove {}: {}", file, e.getMessage());
        }
    }
}
