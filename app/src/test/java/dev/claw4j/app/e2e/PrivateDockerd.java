package dev.claw4j.app.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Docker daemon of this test's own (its own socket, data root, exec root and pid file, no bridge, no iptables),
 * with the shared daemon's {@code runsc} runtime registered the same way, so a test may stop and start it while a
 * host uses it without touching the daemon other engineers' tests share. {@link #close()} stops it and removes
 * everything it made, also when the test failed, and a shutdown hook does the same if the test JVM ends first.
 */
final class PrivateDockerd implements AutoCloseable {
    private static final Duration UP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(40);

    private final Path dir;
    private final Path socket;
    private final Thread cleanupHook = new Thread(this::closeQuietly, "private-dockerd-cleanup");
    private Process dockerd;
    private int starts;
    private boolean closed;

    private PrivateDockerd(Path dir) {
        this.dir = dir;
        this.socket = dir.resolve("d.sock");
    }

    /** Starts a daemon in a fresh directory under /tmp (a unix socket path must stay short). */
    static PrivateDockerd start() throws Exception {
        PrivateDockerd d = new PrivateDockerd(Files.createTempDirectory(Path.of("/tmp"), "c4jd-"));
        Runtime.getRuntime().addShutdownHook(d.cleanupHook);
        try {
            // runsc exactly as the shared daemon has it registered (path and flags)
            String runsc = cli(List.of("docker", "info", "--format", "{{json .Runtimes.runsc}}"), Duration.ofSeconds(30));
            if (!runsc.contains("path")) {
                throw new IllegalStateException("the shared Docker daemon has no runsc runtime (" + runsc.strip()
                        + "); run scripts/setup-docker.sh");
            }
            Files.writeString(d.dir.resolve("daemon.json"), "{\"runtimes\": {\"runsc\": " + runsc.strip() + "}}");
            d.launch();
        } catch (Exception e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** What to put in DOCKER_HOST. */
    String host() {
        return "unix://" + socket;
    }

    /** Copies images from the shared daemon into this one ({@code docker save | docker load}). */
    void loadFromShared(String... images) throws Exception {
        List<String> save = new ArrayList<>(List.of("docker", "save"));
        save.addAll(List.of(images));
        Process saving = new ProcessBuilder(save).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Process loading = new ProcessBuilder("docker", "-H", host(), "load").redirectErrorStream(true).start();
        try (var in = saving.getInputStream(); var out = loading.getOutputStream()) {
            in.transferTo(out);
        }
        String said = new String(loading.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (saving.waitFor() != 0 || loading.waitFor() != 0) {
            throw new IllegalStateException("copying " + List.of(images) + " into the private daemon failed: " + said);
        }
    }

    /** The daemon's CLI, e.g. {@code docker("ps", "-q")}; fails with the output when it does. */
    String docker(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("docker", "-H", host()));
        command.addAll(List.of(args));
        return cli(command, Duration.ofSeconds(30));
    }

    /** SIGTERM (as an operator's restart does: dockerd stops its containers first), then the same daemon again. */
    void restart(Duration down) throws Exception {
        stop();
        Thread.sleep(down);
        launch();
    }

    private void launch() throws Exception {
        starts++;
        Path log = dir.resolve("dockerd-" + starts + ".log");
        dockerd = new ProcessBuilder("dockerd",
                "--config-file", dir.resolve("daemon.json").toString(),
                "-H", host(),
                "--data-root", dir.resolve("data").toString(),
                "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("dockerd.pid").toString(),
                "--bridge=none", "--iptables=false", "--ip-masq=false")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        long deadline = System.nanoTime() + UP_TIMEOUT.toNanos();
        while (true) {
            try {
                docker("info", "--format", "{{.ServerVersion}}");
                return;
            } catch (IllegalStateException notYet) {
                if (!dockerd.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("the private dockerd did not come up: " + notYet.getMessage()
                            + "\n" + Files.readString(log));
                }
                Thread.sleep(100);
            }
        }
    }

    private void stop() throws InterruptedException {
        if (dockerd == null || !dockerd.isAlive()) {
            return;
        }
        dockerd.destroy();
        if (!dockerd.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            dockerd.descendants().forEach(ProcessHandle::destroyForcibly);
            dockerd.destroyForcibly().waitFor();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // whatever the daemon left (its containerd, shims, sandboxes) names this directory on its command line
        String mark = dir.toString();
        ProcessHandle.allProcesses()
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .filter(p -> p.info().commandLine().orElse("").contains(mark))
                .forEach(ProcessHandle::destroyForcibly);
        unmountUnder(mark);
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("[private-dockerd] could not remove " + dir + ": " + e.getMessage());
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanupHook);
        } catch (IllegalStateException shuttingDown) {
            // we are the hook
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (RuntimeException e) {
            System.err.println("[private-dockerd] cleanup: " + e);
        }
    }

    private static void unmountUnder(String mark) {
        try {
            List<String> mounts = Files.readAllLines(Path.of("/proc/self/mounts")).stream()
                    .map(l -> l.split(" ")[1]).filter(m -> m.startsWith(mark)).toList();
            for (String m : mounts.reversed()) {
                new ProcessBuilder("umount", "-l", m).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (IOException e) {
            System.err.println("[private-dockerd] reading the mounts: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String cli(List<String> command, Duration timeout) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " did not finish in " + timeout);
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed (" + p.exitValue() + "): " + out.strip());
        }
        return out;
    }
}
