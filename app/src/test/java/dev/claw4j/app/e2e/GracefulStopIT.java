package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.sandbox.DockerClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A graceful stop leaves no container of this install behind, running or exited (issue 11). */
class GracefulStopIT {
    @TempDir
    Path data;

    @Test
    void aGracefulStopLeavesNoSandboxBehind() throws Exception {
        RunningHost host = new RunningHost(data, 4, "5m");
        String install = host.installId;
        try {
            host.chat.post("dm-one", "ann", "run: echo one");
            host.chat.post("dm-two", "bob", "run: echo two");
            host.chat.awaitReplies("dm-one", 1, Duration.ofSeconds(90));
            host.chat.awaitReplies("dm-two", 1, Duration.ofSeconds(90));
            assertThat(containersOf(install)).as("the sandboxes really ran and are warm").isGreaterThanOrEqualTo(2);
            host.chat.post("dm-one", "ann", "run: sleep 1; echo again"); // a turn still running at the stop
        } finally {
            host.close();
        }
        assertThat(containersOf(install)).isZero();
    }

    /**
     * The same for real: {@code claw4j run} as its own process, stopped with SIGTERM (what Ctrl-C, systemd and
     * docker stop send) while one sandbox is warm, one runs a turn and one is starting (paused as soon as Docker
     * runs it, usually before its agent is ready). The stop removes all three before the process exits,
     * runs once (the shutdown hook and the main thread both closed the host, and one closed the Docker client under
     * the other's sweep), and leaves the two unanswered messages for the next start instead of failing them.
     */
    @Test
    void sigtermToTheHostProcessLeavesNoSandboxBehind() throws Exception {
        try (DemoModelServer model = new DemoModelServer(0); var docker = DockerClients.connect()) {
            model.start();
            HostProcess host = new HostProcess(data, """
                    model: { provider: openai, name: claw4j-demo, apiKey: demo, baseUrl: "%s" }
                    sandbox: { runtime: runsc, maxSandboxes: 4, idleTimeout: 5m, turnTimeout: 2m }
                    access: { dm: open }
                    connectors:
                      web: { port: WEB_PORT }
                    """.formatted(model.baseUrl()));
            WebChatClient chat = host.chat();
            host.start();
            String install = host.installId();
            try {
                chat.post("dm-warm", "ann", "run: echo warm");
                chat.awaitReplies("dm-warm", 1, Duration.ofSeconds(90));
                chat.post("dm-busy", "bob", "run: sleep 8; echo busy-done");
                long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
                while (model.rawRequests().stream().noneMatch(r -> r.contains("echo busy-done"))) {
                    assertThat(System.nanoTime()).as("the busy turn reached the model").isLessThan(deadline);
                    Thread.sleep(50);
                }
                chat.post("dm-starting", "cy", "run: echo starting-done");
                String starting = null;
                while (starting == null) { // paused, most often before its agent says ready: its start stays under way
                    assertThat(System.nanoTime()).as("the third sandbox is being made").isLessThan(deadline);
                    starting = pauseSandboxOf(docker, install, "dm-starting");
                }
                assertThat(containersOf(install)).as("warm, busy and starting sandboxes really exist").isEqualTo(3);
                assertThat(host.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 143);
            } finally {
                if (host.alive()) {
                    host.kill();
                }
            }
            String log = Files.readString(host.log());
            assertThat(containersOf(install)).as("containers left after SIGTERM; host log: %s", log).isZero();
            assertThat(log).as("the stop ran once and in order").doesNotContain("Connection pool shut down")
                    .doesNotContain("Database is already closed").doesNotContain("Connection pool has been disposed");

            // the next start answers the two messages the stop cut off, once each, with their real answers
            host.start();
            try {
                for (String room : List.of("dm-busy", "dm-starting")) {
                    chat.awaitReplies(room, 1, Duration.ofSeconds(90));
                }
                Thread.sleep(2_000);
                assertThat(chat.replies("dm-busy")).singleElement().extracting(r -> r.get("text").asText())
                        .asString().contains("busy-done");
                assertThat(chat.replies("dm-starting")).singleElement().extracting(r -> r.get("text").asText())
                        .asString().contains("starting-done");
                assertThat(chat.replies("dm-warm")).hasSize(1);
            } finally {
                host.stop(Duration.ofSeconds(60));
            }
            assertThat(containersOf(install)).isZero();
        }
    }

    /** Pauses the group's sandbox once Docker runs it; returns its id, or null while it is not running yet. */
    private static String pauseSandboxOf(com.github.dockerjava.api.DockerClient docker, String install, String chat)
            throws InterruptedException {
        for (var c : docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of("dev.claw4j.install", install)).exec()) {
            if (String.valueOf(c.getLabels().get("dev.claw4j.group")).contains(chat) && "running".equals(c.getState())) {
                try {
                    docker.pauseContainerCmd(c.getId()).exec();
                    return c.getId();
                } catch (RuntimeException notYet) {
                    break;
                }
            }
        }
        Thread.sleep(5);
        return null;
    }

    private static int containersOf(String install) throws Exception {
        try (var docker = DockerClients.connect()) {
            return docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of("dev.claw4j.install", install)).exec().size();
        }
    }
}
