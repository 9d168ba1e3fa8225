package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.cluster.Cluster;
import dev.claw4j.core.cluster.ClusterSettings;
import dev.claw4j.core.cluster.HostIdentity;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several hosts on one Docker daemon and one database: at start a host removes its own leftovers and those of gone
 * hosts of its machine, and never a live host's sandbox (issue 14). Real sandboxes on gVisor; the hosts are their
 * cluster membership (heartbeat rows) and their runtime, which is all {@code Claw4j.start} uses for this.
 */
class HostOrphansIT {
    private static final ClusterSettings SHORT = new ClusterSettings(Duration.ofSeconds(2), Duration.ofMillis(500));
    private static final String MACHINE = "machine-" + UUID.randomUUID().toString().substring(0, 8);

    @TempDir
    Path data;
    private final Store store = Store.inMemory("orphans-" + UUID.randomUUID());
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose.reversed()) {
            c.close();
        }
        store.close();
    }

    @Test
    void aLiveHostsSandboxSurvivesAnotherHostsStartAndItsOwnRestartRemovesIt() throws Exception {
        TestSandboxes.ensureAgentImage();
        String a = TestSandboxes.installId();
        String b = TestSandboxes.installId();
        join(a, MACHINE);
        DockerSandboxRuntime runtimeA = runtime(a, MACHINE);
        Sandbox sandboxA = runtimeA.start(TestSandboxes.spec(data, "live-a"));
        toClose.add(sandboxA);

        // host B starts on the same machine: A is alive, so nothing of A's is B's to remove
        Cluster clusterB = join(b, MACHINE);
        assertThat(clusterB.goneHostsOnThisMachine()).isEmpty();
        assertThat(runtime(b, MACHINE).removeOrphans(clusterB.goneHostsOnThisMachine())).isZero();
        assertThat(sandboxA.exit().isDone()).as("A's live sandbox after B's start").isFalse();
        assertThat(runningOf(a)).hasSize(1);

        // A restarts (same data directory, same host id): what it left is its own orphan
        Cluster restartedA = join(a, MACHINE);
        assertThat(runtime(a, MACHINE).removeOrphans(restartedA.goneHostsOnThisMachine())).isEqualTo(1);
        assertThat(sandboxA.exit().get(30, TimeUnit.SECONDS)).isNotNull();
        assertThat(runningOf(a)).isEmpty();
    }

    @Test
    void aGoneHostsOrphansAreRemovedByAnotherHostOfItsMachineOnly() throws Exception {
        TestSandboxes.ensureAgentImage();
        String dead = TestSandboxes.installId();
        String elsewhere = TestSandboxes.installId();
        String live = TestSandboxes.installId();
        String b = TestSandboxes.installId();
        Cluster deadCluster = join(dead, MACHINE);
        Sandbox deadSandbox = runtime(dead, MACHINE).start(TestSandboxes.spec(data, "dead-a"));
        toClose.add(deadSandbox);
        // a gone host of another machine whose sandbox is on this daemon too (a daemon shared between machines)
        Cluster elsewhereCluster = join(elsewhere, "other-" + MACHINE);
        Sandbox elsewhereSandbox = runtime(elsewhere, "other-" + MACHINE).start(TestSandboxes.spec(data, "else-a"));
        toClose.add(elsewhereSandbox);
        join(live, MACHINE);
        Sandbox liveSandbox = runtime(live, MACHINE).start(TestSandboxes.spec(data, "live-b"));
        toClose.add(liveSandbox);

        // the dead host crashes: its heartbeat stops (close marks a graceful stop; a crash leaves no mark)
        deadCluster.close();
        elsewhereCluster.close();
        clearStopped(dead);
        Cluster clusterB = join(b, MACHINE);
        assertThat(clusterB.goneHostsOnThisMachine()).as("before its lease ran out").doesNotContain(dead);
        Thread.sleep(SHORT.lease().toMillis() + 500);
        assertThat(clusterB.goneHostsOnThisMachine()).containsExactly(dead);

        assertThat(runtime(b, MACHINE).removeOrphans(clusterB.goneHostsOnThisMachine())).isEqualTo(1);
        assertThat(deadSandbox.exit().get(30, TimeUnit.SECONDS)).isNotNull();
        assertThat(liveSandbox.exit().isDone()).as("the live host's sandbox").isFalse();
        assertThat(elsewhereSandbox.exit().isDone()).as("another machine's host's sandbox").isFalse();
        assertThat(runningOf(live)).hasSize(1);
        assertThat(runningOf(elsewhere)).hasSize(1);
    }

    private Cluster join(String host, String machine) {
        Cluster c = new Cluster(store.dataSource(), new HostIdentity(host, machine), SHORT).start();
        toClose.add(c);
        return c;
    }

    private DockerSandboxRuntime runtime(String host, String machine) {
        DockerSandboxRuntime r = new DockerSandboxRuntime(TestSandboxes.DOCKER,
                new SandboxSettings("runsc", true, null, host, machine));
        toClose.add(r::removeOrphans);
        return r;
    }

    private static List<?> runningOf(String host) {
        return TestSandboxes.DOCKER.listContainersCmd().withLabelFilter(java.util.Map.of(Labels.INSTALL, host)).exec();
    }

    private void clearStopped(String host) throws Exception {
        try (var c = store.dataSource().getConnection();
                var ps = c.prepareStatement("UPDATE hosts SET stopped_at = NULL WHERE host_id = ?")) {
            ps.setString(1, host);
            assertThat(ps.executeUpdate()).isEqualTo(1);
        }
    }
}
