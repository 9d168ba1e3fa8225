package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.sandbox.DockerClients;
import java.nio.file.Path;
import java.time.Duration;
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

    private static int containersOf(String install) throws Exception {
        try (var docker = DockerClients.connect()) {
            return docker.listContainersCmd().withShowAll(true)
                    .withLabelFilter(Map.of("dev.claw4j.install", install)).exec().size();
        }
    }
}
