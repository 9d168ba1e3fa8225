package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.store.Store;
import dev.claw4j.sandbox.AgentImage;
import dev.claw4j.sandbox.DockerClients;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
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
