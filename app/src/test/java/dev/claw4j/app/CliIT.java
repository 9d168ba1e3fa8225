package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.app.admin.AdminServer;
import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.store.DatabaseInUseException;
import dev.claw4j.core.store.Store;
import dev.claw4j.sandbox.AgentImage;
import dev.claw4j.sandbox.DockerClients;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin commands the README lists, run as a user runs them (against real Docker and gVisor). */
class CliIT {
    @TempDir
    static Path dir;
    static Path config;

    @BeforeAll
    static void setUp() throws Exception {
        AgentImage.ensure(DockerClients.connect(), Path.of(System.getProperty("claw4j.agentJar")), line -> { });
        config = dir.resolve("claw4j.yaml");
        Files.writeString(config, "dataDir: " + dir.resolve("data") + "\nsandbox: { runtime: runsc }\n");
    }

    /** Runs {@code claw4j ARGS} and returns its exit code and what it printed (stdout, then stderr). */
    private static Result run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        ByteArrayOutputStream capturedErr = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(capturedErr, true, StandardCharsets.UTF_8));
            int code = Main.commandLine().execute(args);
            return new Result(code, captured.toString(StandardCharsets.UTF_8), capturedErr.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    record Result(int code, String out, String err) {}

    @Test
    void doctorShowsTheIsolationInForceAndSaysClaw4jCanRun() {
        Result r = run("doctor", "--config", config.toString());
        assertThat(r.code()).as(r.out()).isZero();
        assertThat(r.out()).contains("isolation:   ✓ gvisor (runsc)").contains("agent image: ✓")
                .contains("claw4j can run here");
    }

    @Test
    void doctorNamesABadConfigKeyAndFails() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "sandbox:\n  memroy: 1g\n");
        Result r = run("doctor", "--config", bad.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.out()).contains("unknown key 'sandbox.memroy'");
    }

    @Test
    void sandboxExecRunsACommandInTheGroupsHardenedSandbox() throws Exception {
        Result r = run("sandbox", "exec", "--config", config.toString(), "--group", "cli-test", "--",
                "bash", "-c", "id -u; echo hi > /workspace/group/from-exec.txt; exit 3");
        assertThat(r.out()).isEqualTo("1000\n");
        assertThat(r.err()).contains("exit code: 3").contains("gvisor (runsc)");
        assertThat(r.code()).isEqualTo(3);
        assertThat(Files.readString(dir.resolve("data/groups/cli-test/from-exec.txt"))).isEqualTo("hi\n");
    }

    @Test
    void accessCommandsReachTheRunningHostThroughItsAdminEndpoint() throws Exception {
        Path data = dir.resolve("running");
        try (Store store = Store.open(data)) {
            AccessStore access = new AccessStore(store.dataSource());
            access.grant("web", "dora", "test");
            access.addCode(new AccessStore.PairingCode("WXYZ2345", "web", "carl", "Carl", Instant.now().plusSeconds(3600)),
                    Instant.now());
            access.addCode(new AccessStore.PairingCode("QRST2345", "web", "eve", "Eve", Instant.now().plusSeconds(3600)),
                    Instant.now());
        }
        Path hostConfig = dir.resolve("running.yaml");
        Files.writeString(hostConfig, "dataDir: " + data + "\nsandbox: { runtime: runsc }\n"
                + "model: { provider: openai, name: none, apiKey: k, baseUrl: 'http://127.0.0.1:9/v1' }\n"
                + "connectors: { web: { enabled: false } }\n");
        Process host = javaMain("run", "--config", hostConfig.toString());
        StringBuffer hostOut = new StringBuffer();
        Thread.ofVirtual().start(() -> host.inputReader(StandardCharsets.UTF_8).lines()
                .forEach(l -> hostOut.append(l).append('\n')));
        try {
            Awaitility.await().atMost(Duration.ofMinutes(3)).until(() -> hostOut.toString().contains("admin endpoint:")
                    || !host.isAlive());
            assertThat(hostOut.toString()).contains("admin endpoint: http://127.0.0.1:");
            assertThatThrownBy(() -> Store.open(data)).as("the host holds the database: no command can open it")
                    .isInstanceOf(DatabaseInUseException.class);

            Result list = run("access", "list", "--config", hostConfig.toString());
            assertThat(list.code()).as(list.err()).isZero();
            assertThat(list.out()).contains("WXYZ2345  Carl (web:carl)").contains("web:dora since");
            Result approve = run("access", "approve", "--config", hostConfig.toString(), "wxyz2345");
            assertThat(approve.out()).contains("approved Carl (web:carl)");
            assertThat(run("access", "list", "--config", hostConfig.toString()).out())
                    .as("approved through the endpoint").contains("web:carl since").contains("by admin-api");
            assertThat(run("access", "revoke", "--config", hostConfig.toString(), "web:carl").code()).isZero();
            assertThat(run("access", "revoke", "--config", hostConfig.toString(), "web:carl").code()).isEqualTo(1);
            assertThat(run("access", "approve", "--config", hostConfig.toString(), "WRONG123").code()).isEqualTo(1);

            // the endpoint itself: the token is needed, other origins and non-JSON posts are refused
            int port = Integer.parseInt(Files.readAllLines(data.resolve(AdminServer.PORT_FILE)).getFirst());
            String token = run("admin", "token", "--config", hostConfig.toString()).out().strip();
            HttpClient http = HttpClient.newHttpClient();
            URI approveUri = URI.create("http://127.0.0.1:" + port + "/admin/api/access/approve");
            String body = "{\"code\": \"QRST2345\"}";
            assertThat(send(http, HttpRequest.newBuilder(approveUri).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)))).isEqualTo(401);
            assertThat(send(http, HttpRequest.newBuilder(approveUri).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + token).header("Origin", "http://evil.example")
                    .POST(HttpRequest.BodyPublishers.ofString(body)))).isEqualTo(403);
            assertThat(send(http, HttpRequest.newBuilder(approveUri).header("Content-Type", "text/plain")
                    .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body))))
                    .isEqualTo(415);
            assertThat(send(http, HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/api/access"))
                    .header("Authorization", "Bearer " + token).GET())).as("the same requests, right, are answered")
                    .isEqualTo(200);
            assertThat(run("access", "list", "--config", hostConfig.toString()).out())
                    .as("none of the refused requests approved the code").contains("QRST2345  Eve (web:eve)");
        } finally {
            host.destroy(); // SIGTERM: the host stops as on Ctrl-C
            assertThat(host.waitFor(60, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(data.resolve(AdminServer.PORT_FILE)).as("removed when the host stopped").doesNotExist();
        Result after = run("access", "list", "--config", hostConfig.toString());
        assertThat(after.out()).as("no host: the command opens the database itself").contains("QRST2345");
    }

    @Test
    void aDatabaseHeldByAProcessWithoutAnEndpointIsAClearError() throws Exception {
        Path data = dir.resolve("held");
        Path heldConfig = dir.resolve("held.yaml");
        Files.writeString(heldConfig, "dataDir: " + data + "\n");
        try (Store store = Store.open(data)) {
            store.groups().groups();
            Process cli = javaMain("access", "list", "--config", heldConfig.toString());
            assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String out = new String(cli.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(cli.exitValue()).as(out).isEqualTo(2);
            assertThat(out).contains("is in use by another process, but no claw4j admin endpoint answers")
                    .contains("fuser -v");
        }
    }

    /** {@code claw4j ARGS} in a process of its own, as the launcher starts it. */
    private static Process javaMain(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-cp", System.getProperty("java.class.path"), "-Dclaw4j.home=" + System.getProperty("claw4j.home"),
                "dev.claw4j.app.Main"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int send(HttpClient http, HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void accessListAndRevoke() {
        try (Store store = Store.open(dir.resolve("data"))) {
            new AccessStore(store.dataSource()).grant("web", "ana", "test");
            new AccessStore(store.dataSource()).addCode(new AccessStore.PairingCode("ABCD2345", "web", "bob", "Bob",
                    Instant.now().plusSeconds(3600)), Instant.now());
        }
        Result list = run("access", "list", "--config", config.toString());
        assertThat(list.code()).isZero();
        assertThat(list.out()).contains("ABCD2345  Bob (web:bob)").contains("web:ana since");
        assertThat(run("access", "revoke", "--config", config.toString(), "web:ana").code()).isZero();
        assertThat(run("access", "revoke", "--config", config.toString(), "web:ana").code()).isEqualTo(1);
        assertThat(run("access", "approve", "--config", config.toString(), "WRONG123").code()).isEqualTo(1);
    }
}
