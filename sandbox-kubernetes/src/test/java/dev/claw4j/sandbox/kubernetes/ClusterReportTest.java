package dev.claw4j.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The doctor's lines about the cluster, against the mock API server. */
class ClusterReportTest {
    private static KubernetesSettings settings(String runtimeClass, boolean requireSecondWall) {
        return new KubernetesSettings("claw4j", runtimeClass, null, 1, Duration.ofSeconds(30),
                "registry.example.com/claw4j-agent:0.1.0", "install-doctor", requireSecondWall, null, null);
    }

    @Test
    void reportsTheClusterTheRuntimeClassItsHandlerAndWhatItMapsTo() {
        try (var cluster = new FakeCluster()) {
            cluster.addRuntimeClass("gvisor", "runsc");
            cluster.addRuntimeClass("kata-fc", "kata-fc");
            cluster.addRuntimeClass("runc", "runc");

            var lines = ClusterReport.of(cluster.host, settings("gvisor", true));
            assertThat(lines.get(0).value()).startsWith(cluster.host.getMasterUrl().toString()).contains("Kubernetes v");
            assertThat(lines).allMatch(ClusterReport.Line::ok);
            assertThat(lines).extracting(ClusterReport.Line::value)
                    .contains("gvisor (handler runsc) → user-space kernel (gVisor)");
            assertThat(lines).filteredOn(l -> l.name().equals("namespace")).singleElement()
                    .satisfies(l -> assertThat(l.value()).contains("a warm pool of 1 on template claw4j-agent-")
                            .contains("a group's folder lasts as long as its sandbox (warmPool: 0 keeps it)")
                            .containsPattern("policy claw4j-agent-[0-9a-f]{6}-isolated"));

            assertThat(ClusterReport.of(cluster.host, settings("kata-fc", true))).extracting(ClusterReport.Line::value)
                    .contains("kata-fc (handler kata-fc) → microVM (Kata)");

            var runc = ClusterReport.of(cluster.host, settings("runc", true));
            assertThat(runc).extracting(ClusterReport.Line::value)
                    .contains("runc (handler runc) → none beyond a plain container (runc)");
            assertThat(runc).filteredOn(l -> !l.ok()).singleElement()
                    .satisfies(l -> assertThat(l.fix()).contains("requireSecondWall"));

            assertThat(ClusterReport.of(cluster.host, settings("nope", false))).filteredOn(l -> !l.ok())
                    .singleElement().satisfies(l -> assertThat(l.value()).contains("the cluster has no RuntimeClass nope"));
            assertThat(RbacRules.ofDeploy().refused(cluster.hostCalls())).isEmpty();
        }
    }
}
