package dev.claw4j.app.e2e;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The real host as its own process ({@code dev.claw4j.app.Main run --config}), started, killed and started again
 * by a test, with the web chat on a fixed loopback port so every run of it has the same address. Each start is
 * timed from the process starting to the web API answering.
 */
final class HostProcess {
    private final Path dir;
    private final Path config;
    private final Path dataDir;
    private final int webPort;
    private final List<Long> startMillis = new ArrayList<>();
    private final java.util.Map<String, String> env = new java.util.HashMap<>();
    private Process process;
    private Path log;
    private volatile int runs;

    /** {@code configBody} is the YAML after {@code dataDir} and the web connector's port, which this class sets. */
    HostProcess(Path dir, String configBody) throws IOException {
        this.dir = dir;
        this.dataDir = dir.resolve("data");
        this.config = dir.resolve("claw4j.yaml");
        this.webPort = freePort();
        Files.writeString(config, "dataDir: " + dataDir + "\n" + configBody.replace("WEB_PORT", String.valueOf(webPort)));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Sets an environment variable for every later start (e.g. DOCKER_HOST for a private daemon). */
    HostProcess env(String name, String value) {
        env.put(name, value);
        return this;
    }

    /** How many times the host was started: 1 for the first run. */
    int runs() {
        return runs;
    }

    Path dataDir() {
        return dataDir;
    }

    int webPort() {
        return webPort;
    }

    WebChatClient chat() {
        return new WebChatClient(webPort, dataDir);
    }

    /** Starts the host and waits until its web API answers; returns how long that took in ms. */
    long start() throws Exception {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the host is still running");
        }
        runs++;
        log = dir.resolve("host-" + runs + ".log");
        String java = ProcessHandle.current().info().command().orElse("java");
        long t0 = System.nanoTime();
        ProcessBuilder builder = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dclaw4j.home=" + System.getProperty("claw4j.home"),
                "dev.claw4j.app.Main", "run", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().putAll(env);
        process = builder.start();
        WebChatClient probe = chat();
        long deadline = t0 + Duration.ofSeconds(90).toNanos();
        while (true) {
            try {
                probe.messages("probe");
                break;
            } catch (IOException | IllegalStateException notYet) {
                // not listening yet, or (401) another engineer's host took the port: ours then dies, and says why
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("host run " + runs + " did not come up (" + notYet + "); its log:\n"
                            + Files.readString(log));
                }
                Thread.sleep(20);
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        startMillis.add(ms);
        return ms;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed that was not already on its way to the disk. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** SIGTERM: the shutdown hooks run. Returns the exit code. */
    int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the host did not stop within " + timeout + " of SIGTERM");
        }
        return process.exitValue();
    }

    /** SIGSTOP: the whole JVM stops where it is (its sandboxes, other processes, go on). */
    void pause() throws Exception {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    void resume() throws Exception {
        signal("CONT");
    }

    private void signal(String name) throws Exception {
        int exit = new ProcessBuilder("kill", "-" + name, String.valueOf(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + name + " " + process.pid() + " exited " + exit);
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    Path log() {
        return log;
    }

    List<Long> startMillis() {
        return List.copyOf(startMillis);
    }

    /** This install's id, as written on its containers' labels. */
    String installId() throws IOException {
        return Files.readString(dataDir.resolve("install-id")).strip();
    }

    /**
     * The host's H2 database, opened by this JVM while the host is dead (the file lock died with the process), as
     * the next start would find it. Close it before starting the host again.
     */
    Connection openStore() throws SQLException, IOException {
        if (alive()) {
            throw new IllegalStateException("the host is running and holds the database");
        }
        Properties p = new Properties();
        p.setProperty("user", "claw4j");
        p.setProperty("password", Files.readString(dataDir.resolve("db-password")).strip());
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("claw4j")
                + ";TRACE_LEVEL_FILE=0", p);
    }
}
