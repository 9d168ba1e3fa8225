package dev.claw4j.sandbox.kubernetes;

import java.time.Duration;

/**
 * How this install runs its sandboxes on a cluster. {@code installId} labels every object it makes, so a
 * restart removes its own leftovers and never another install's.
 *
 * @param namespace       where the template, pool, claims, volume claims and the policy live
 * @param runtimeClass    the RuntimeClass every sandbox pod runs with (gvisor, kata-fc ...)
 * @param template        the name of this install's SandboxTemplate (and of its SandboxWarmPool)
 * @param warmPool        pre-started sandboxes kept waiting for a group; 0 starts each one cold
 * @param readyTimeout    how long a claim may take to become Ready before it is given up and deleted
 * @param folderSize      the size asked for each group's volume claim
 * @param storageClass    the StorageClass of those volume claims; null takes the cluster's default
 */
public record KubernetesSettings(String namespace, String runtimeClass, String template, int warmPool,
                                 Duration readyTimeout, String image, String installId, boolean requireSecondWall,
                                 String folderSize, String storageClass) {
    public static final String DEFAULT_NAMESPACE = "claw4j";
    public static final String DEFAULT_RUNTIME_CLASS = "gvisor";
    public static final String DEFAULT_TEMPLATE = "claw4j-agent";
    public static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(120);

    public KubernetesSettings {
        namespace = namespace == null || namespace.isBlank() ? DEFAULT_NAMESPACE : namespace;
        runtimeClass = runtimeClass == null || runtimeClass.isBlank() ? DEFAULT_RUNTIME_CLASS : runtimeClass;
        template = template == null || template.isBlank() ? DEFAULT_TEMPLATE : template;
        readyTimeout = readyTimeout == null ? DEFAULT_READY_TIMEOUT : readyTimeout;
        folderSize = folderSize == null || folderSize.isBlank() ? "1Gi" : folderSize;
        if (warmPool < 0) {
            throw new IllegalArgumentException("sandbox.kubernetes.warmPool must be 0 or more, got " + warmPool);
        }
        if (image == null || image.isBlank()) {
            throw new IllegalArgumentException("sandbox.image must name the agent image the cluster's nodes can pull "
                    + "(for example registry.example.com/claw4j-agent:0.1.0)");
        }
        // label values: at most 63 characters, alphanumeric at both ends
        if (installId == null || !installId.matches("[A-Za-z0-9]([A-Za-z0-9_.-]{2,61}[A-Za-z0-9])")) {
            throw new IllegalArgumentException("bad install id '" + installId + "': it labels Kubernetes objects, so "
                    + "use 4-63 characters of letters, digits, '_', '.' and '-', starting and ending with a letter or digit");
        }
        for (String name : new String[] {namespace, runtimeClass, template}) {
            if (!name.matches("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")) {
                throw new IllegalArgumentException("'" + name + "' is not a Kubernetes name: use lower-case letters, "
                        + "digits and '-' (sandbox.kubernetes.namespace, runtimeClass, template)");
            }
        }
    }
}
