package dev.claw4j.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The running host's admin endpoint, as the command line reaches it. */
public final class AdminClient implements AccessApi, TasksApi {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3))
            .proxy(HttpClient.Builder.NO_PROXY).build();
    private final ObjectMapper json = new ObjectMapper();
    private final URI base;
    private final String token;

    AdminClient(int port, String token) {
        this.base = URI.create("http://127.0.0.1:" + port + "/admin/api/");
        this.token = token;
    }

    /**
     * The endpoint of the host running on {@code dataDir}, when there is one: its port file names a live process
     * and the endpoint answers. A port file a crash left (its process gone) is not trusted: whatever listens on
     * that port now never sees the token.
     */
    public static Optional<AdminClient> ifRunning(Path dataDir) {
        Path portFile = dataDir.resolve(AdminServer.PORT_FILE);
        List<String> lines;
        try {
            if (!Files.isRegularFile(portFile)) {
                return Optional.empty();
            }
            lines = Files.readAllLines(portFile, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + portFile + ": " + e.getMessage()
                    + "; run this as the user claw4j runs as", e);
        }
        int port;
        long pid;
        try {
            port = Integer.parseInt(lines.get(0).strip());
            pid = Long.parseLong(lines.get(1).strip());
        } catch (RuntimeException e) {
            return Optional.empty(); // half a file from a crash
        }
        if (!ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            return Optional.empty();
        }
        AdminClient client = new AdminClient(port, AdminToken.of(dataDir).value());
        return client.answers() ? Optional.of(client) : Optional.empty();
    }

    private boolean answers() {
        try {
            call(HttpRequest.newBuilder(base.resolve("access")).GET());
            return true;
        } catch (EndpointDown e) {
            return false;
        }
    }

    @Override
    public Overview overview() {
        return json.convertValue(call(HttpRequest.newBuilder(base.resolve("access")).GET()).body(), Overview.class);
    }

    @Override
    public Optional<Approved> approve(String code) {
        Reply r = call(post("access/approve", Map.of("code", code)));
        return r.status() == 404 ? Optional.empty() : Optional.of(json.convertValue(r.body(), Approved.class));
    }

    @Override
    public boolean revoke(String platform, String userId) {
        return call(post("access/revoke", Map.of("platform", platform, "userId", userId))).body().path("revoked")
                .asBoolean();
    }

    @Override
    public boolean revokeChat(String platform, String chatId) {
        return call(post("access/revoke", Map.of("platform", platform, "chatId", chatId))).body().path("revoked")
                .asBoolean();
    }

    @Override
    public List<TaskLine> tasks() {
        return json.convertValue(call(HttpRequest.newBuilder(base.resolve("tasks")).GET()).body(),
                json.getTypeFactory().constructCollectionType(List.class, TaskLine.class));
    }

    @Override
    public Changed change(String action, long id) {
        Reply r = call(post("tasks/" + action, Map.of("id", Long.toString(id))));
        if (r.status() == 404) {
            throw new IllegalStateException("the running claw4j has no task commands: " + r.body().path("error").asText());
        }
        return json.convertValue(r.body(), Changed.class);
    }

    /** {@code GET /admin/api/budgets?group=}: the group's usage, the limits in force and where they come from. */
    public JsonNode budget(String group) {
        return budgetAnswer(call(HttpRequest.newBuilder(base.resolve("budgets?group="
                + java.net.URLEncoder.encode(group, StandardCharsets.UTF_8))).GET()));
    }

    /**
     * {@code POST /admin/api/budgets/override}: {@code limits} holds any of dailyTokens, monthlyTokens, dailyCost,
     * monthlyCost (one left out is no limit); answers like {@link #budget}.
     */
    public JsonNode setBudgetOverride(String group, Map<String, Object> limits) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(limits);
        body.put("group", group);
        return budgetAnswer(call(post("budgets/override", body)));
    }

    /** {@code POST /admin/api/budgets/clear}: true when the group had an override. */
    public boolean clearBudgetOverride(String group) {
        return budgetAnswer(call(post("budgets/clear", Map.of("group", group)))).path("cleared").asBoolean();
    }

    private static JsonNode budgetAnswer(Reply r) {
        if (r.status() == 404) {
            throw new IllegalStateException("the running claw4j has no budgets: " + r.body().path("error").asText()
                    + " (update and restart claw4j)");
        }
        return r.body();
    }

    private HttpRequest.Builder post(String path, Object body) {
        try {
            return HttpRequest.newBuilder(base.resolve(path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Reply(int status, JsonNode body) {}

    /** Nothing listens there: the host is not running after all. */
    private static final class EndpointDown extends RuntimeException {
        EndpointDown(Throwable cause) {
            super(cause);
        }
    }

    /** A 2xx or 404 answer; anything else is an error that says what the endpoint said. */
    private Reply call(HttpRequest.Builder request) {
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.header("Authorization", "Bearer " + token).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (ConnectException e) {
            throw new EndpointDown(e);
        } catch (IOException e) {
            throw new UncheckedIOException("the running claw4j's admin endpoint at " + base + " did not answer: "
                    + e.getMessage() + "; check that claw4j is running", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the admin endpoint", e);
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("the admin endpoint at " + base + " answered " + response.statusCode()
                    + " with something that is not JSON; is it claw4j listening there?");
        }
        if (response.statusCode() / 100 != 2 && response.statusCode() != 404) {
            throw new IllegalStateException("the running claw4j refused: " + body.path("error").asText(
                    "status " + response.statusCode()));
        }
        return new Reply(response.statusCode(), body);
    }
}
