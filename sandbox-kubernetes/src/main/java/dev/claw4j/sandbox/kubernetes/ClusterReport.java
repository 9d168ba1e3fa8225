package dev.claw4j.sandbox.kubernetes;

import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.SandboxException;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code ./claw4j doctor} says about the cluster with {@code sandbox.runtime: kubernetes}: the API server and
 * its version, the runtime class with its handler and the isolation it maps to, and whether the second wall the
 * config asks for is there. Each line says what to do when it is not fine.
 */
public final class ClusterReport {
    /** One line of the doctor's report. {@code fix} is null when the line is fine. */
    public record Line(String name, String value, boolean ok, String fix) {}

    private ClusterReport() {}

    public static List<Line> of(KubernetesClient client, KubernetesSettings settings) {
        List<Line> lines = new ArrayList<>();
        String server = String.valueOf(client.getMasterUrl());
        try {
            var version = client.getKubernetesVersion();
            lines.add(new Line("cluster", server + ", Kubernetes "
                    + (version.getGitVersion() != null ? version.getGitVersion()
                    : version.getMajor() + "." + version.getMinor()), true, null));
        } catch (RuntimeException e) {
            lines.add(new Line("cluster", server + ": no answer (" + e.getMessage() + ")", false,
                    "check the kubeconfig (or the pod's service account) and that the API server is reachable"));
            return lines;
        }
        String template = new SandboxObjects(settings, client.getKubernetesSerialization()).templateName();
        lines.add(new Line("namespace", settings.namespace() + ", " + (settings.warmPool() == 0
                ? "each sandbox the group's own, its folder on the group's volume claim"
                : "a warm pool of " + settings.warmPool() + " on template " + template + ": a group's folder lasts as "
                        + "long as its sandbox (warmPool: 0 keeps it)")
                + ", policy " + template + "-isolated, ready timeout " + settings.readyTimeout().toSeconds() + " s",
                true, null));
        Isolation isolation;
        try {
            isolation = RuntimeClasses.isolationOf(client, settings.runtimeClass());
        } catch (SandboxException e) {
            lines.add(new Line("runtime class", e.getMessage(), false, null));
            return lines;
        }
        String handler = isolation.runtime().substring(settings.runtimeClass().length() + 1);
        lines.add(new Line("runtime class", settings.runtimeClass() + " (handler " + handler + ") → "
                + describe(isolation.kind()), true, null));
        boolean wallOk = isolation.hasSecondWall() || !settings.requireSecondWall();
        lines.add(new Line("isolation", isolation.describe() + (isolation.hasSecondWall() ? "" : " — one wall only"),
                wallOk, wallOk ? null : "sandbox.requireSecondWall is true: use a gVisor (runsc) or Kata (kata-*) "
                + "RuntimeClass (deploy/kubernetes/runtimeclasses.yaml), or set requireSecondWall: false"));
        lines.add(new Line("pid limit", "not set per pod on Kubernetes: set the kubelet's podPidsLimit on the "
                + "sandbox nodes", true, null));
        return lines;
    }

    private static String describe(Isolation.Kind kind) {
        return switch (kind) {
            case GVISOR -> "user-space kernel (gVisor)";
            case MICROVM -> "microVM (Kata)";
            case CONTAINER -> "none beyond a plain container (runc)";
        };
    }
}
