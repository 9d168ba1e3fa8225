package dev.claw4j.sandbox.kubernetes;

import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.SandboxException;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;

/**
 * What a RuntimeClass gives a pod, read off its handler (the name the node's CRI knows): {@code runsc} or
 * {@code gvisor} a user-space kernel, {@code kata-*} a microVM, anything else (runc, crun) a plain container.
 */
public final class RuntimeClasses {
    private RuntimeClasses() {}

    /** The handler of the class and what it maps to; fails naming what to do when the class is missing. */
    public static Isolation isolationOf(KubernetesClient client, String runtimeClass) {
        RuntimeClass rc;
        try {
            rc = client.resources(RuntimeClass.class).withName(runtimeClass).get();
        } catch (KubernetesClientException e) {
            throw new SandboxException("could not read RuntimeClass " + runtimeClass + " from " + client.getMasterUrl()
                    + " (HTTP " + e.getCode() + "): " + e.getMessage() + "; check the host's RBAC (the ClusterRole "
                    + "claw4j-runtimeclass-reader in deploy/kubernetes/rbac.yaml)", e);
        }
        if (rc == null) {
            throw new SandboxException("the cluster has no RuntimeClass " + runtimeClass + "; apply one (see "
                    + "deploy/kubernetes/runtimeclasses.yaml) or set sandbox.kubernetes.runtimeClass to one of "
                    + "`kubectl get runtimeclass`");
        }
        return isolationOfHandler(runtimeClass, rc.getHandler());
    }

    static Isolation isolationOfHandler(String runtimeClass, String handler) {
        String h = handler == null ? "" : handler;
        Isolation.Kind kind = h.startsWith("kata") ? Isolation.Kind.MICROVM
                : h.equals("runsc") || h.startsWith("runsc-") || h.startsWith("gvisor") ? Isolation.Kind.GVISOR
                : Isolation.Kind.CONTAINER;
        return new Isolation(runtimeClass + "/" + h, kind);
    }

    /** Refuses a class without a second wall when the install asks for one. */
    static Isolation check(Isolation isolation, String runtimeClass, boolean requireSecondWall) {
        if (requireSecondWall && !isolation.hasSecondWall()) {
            throw new SandboxException("sandbox.requireSecondWall is true but RuntimeClass " + runtimeClass
                    + " has the handler " + isolation.runtime().substring(runtimeClass.length() + 1)
                    + ", a plain container with no second wall; set sandbox.kubernetes.runtimeClass to a gVisor "
                    + "(handler runsc) or Kata (handler kata-*) class, or set requireSecondWall: false");
        }
        return isolation;
    }
}
