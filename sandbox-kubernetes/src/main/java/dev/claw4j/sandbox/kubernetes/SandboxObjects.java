package dev.claw4j.sandbox.kubernetes;

import dev.claw4j.core.sandbox.SandboxLimits;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every object the runtime makes, built without I/O so a test can read the whole policy off them.
 *
 * <p>The agent-sandbox resources have no Java client, so they are {@link GenericKubernetesResource}s: a typed
 * class per CRD would repeat its schema for the four or five fields we set, and would silently drop any field
 * the controller adds to what we read back. The pod template inside them is built with fabric8's typed
 * {@link PodSpec} (the hardening is checked by the compiler) and turned into a map once.
 */
final class SandboxObjects {
    static final String EXTENSIONS = "extensions.agents.x-k8s.io";
    static final String AGENTS = "agents.x-k8s.io";
    static final String VERSION = "v1beta1";
    static final ResourceDefinitionContext TEMPLATES = context(EXTENSIONS, "sandboxtemplates", "SandboxTemplate");
    static final ResourceDefinitionContext CLAIMS = context(EXTENSIONS, "sandboxclaims", "SandboxClaim");
    static final ResourceDefinitionContext WARM_POOLS = context(EXTENSIONS, "sandboxwarmpools", "SandboxWarmPool");
    static final ResourceDefinitionContext SANDBOXES = context(AGENTS, "sandboxes", "Sandbox");

    /** Marks every object of one install (its value is the install id). */
    static final String INSTALL_LABEL = "claw4j.dev/install";
    static final String GROUP_LABEL = "claw4j.dev/group";
    static final String COMPONENT_LABEL = "app.kubernetes.io/component";
    static final String PART_OF_LABEL = "app.kubernetes.io/part-of";
    /** The annotation agent-sandbox may set on a Sandbox when its pod has another name than the Sandbox. */
    static final String POD_NAME_ANNOTATION = "agents.x-k8s.io/pod-name";
    /** The annotation the claim controller sets on a claim naming the Sandbox it adopted. */
    static final String SANDBOX_NAME_ANNOTATION = "agents.x-k8s.io/sandbox-name";

    static final String CONTAINER = "agent";
    static final long UID = 1000;
    static final String GROUP_MOUNT = "/workspace/group";
    static final String HOME = "/home/agent";
    /** The only environment a sandbox gets (the same as the Docker runtime's): nothing from the host. */
    static final Map<String, String> ENV = orderedMap(
            "HOME", HOME,
            "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG", "C.UTF-8",
            "CLAW4J_WORKSPACE", "/workspace");

    private final KubernetesSettings settings;
    private final KubernetesSerialization json;

    SandboxObjects(KubernetesSettings settings, KubernetesSerialization json) {
        this.settings = settings;
        this.json = json;
    }

    private static ResourceDefinitionContext context(String group, String plural, String kind) {
        return new ResourceDefinitionContext.Builder().withGroup(group).withVersion(VERSION).withPlural(plural)
                .withKind(kind).withNamespaced(true).build();
    }

    Map<String, String> installLabels() {
        return orderedMap(PART_OF_LABEL, "claw4j", COMPONENT_LABEL, "sandbox", INSTALL_LABEL, settings.installId());
    }

    Map<String, String> groupLabels(String groupId) {
        Map<String, String> labels = new LinkedHashMap<>(installLabels());
        labels.put(GROUP_LABEL, groupId); // group ids are valid label values already: [a-z0-9][a-z0-9_-]{0,62}
        return labels;
    }

    /**
     * The install's template: the runtime class and the hardening every sandbox pod gets. The pod's own process
     * only waits; each agent runs as an exec in it, so the host holds its stdio from its first byte (an attach
     * would miss what the agent wrote before it, its ready line among it).
     */
    GenericKubernetesResource template(SandboxLimits limits) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("podTemplate", podTemplate(installLabels(), podSpec(limits, null)));
        // the install makes its own policy (networkPolicy()): the controller's managed default allows egress to
        // the public internet, which a sandbox must not have
        spec.put("networkPolicyManagement", "Unmanaged");
        spec.put("envVarsInjectionPolicy", "Disallowed");
        return generic(TEMPLATES, templateName(), installLabels(), spec);
    }

    /**
     * A group's own Sandbox, made by the runtime (no claim, no pool): the template's pod with the group's volume
     * claim at {@code /workspace/group}, so the folder outlives the pod. The Sandbox controller copies the pod
     * spec as it is, and a claim it did not make from {@code volumeClaimTemplates} is not owned by the Sandbox, so
     * deleting the Sandbox leaves it.
     */
    GenericKubernetesResource sandbox(String name, String groupId, SandboxLimits limits) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("podTemplate", podTemplate(groupLabels(groupId), podSpec(limits, groupId)));
        return generic(SANDBOXES, name, groupLabels(groupId), spec);
    }

    private Map<String, Object> podTemplate(Map<String, String> labels, PodSpec podSpec) {
        Map<String, Object> podTemplate = new LinkedHashMap<>();
        podTemplate.put("metadata", Map.of("labels", labels));
        podTemplate.put("spec", json.convertValue(podSpec, Map.class));
        return podTemplate;
    }

    /**
     * The install's SandboxTemplate and SandboxWarmPool, and its NetworkPolicy: named after the install, so two
     * hosts (each its own install id) sharing a namespace and a config never write each other's objects.
     */
    String templateName() {
        String base = settings.template().length() > 55 ? settings.template().substring(0, 55) : settings.template();
        return base.replaceAll("-+$", "") + "-" + shortHash(settings.installId());
    }

    /**
     * The sandbox pod. With a group, its folder is the group's volume claim, and the pod is placed on the node of
     * the group's other sandbox pods if any run (a one-off command beside the agent): a ReadWriteOnce volume
     * attaches to one node. Without a group (the warm pool's template) the folder is an emptyDir.
     */
    PodSpec podSpec(SandboxLimits limits, String groupId) {
        Map<String, Quantity> resources = Map.of(
                "memory", new Quantity(String.valueOf(limits.memoryBytes())),
                "cpu", new Quantity(Math.round(limits.cpus() * 1000) + "m"));
        Container agent = new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.image())
                .withCommand("sleep", "infinity")
                .withWorkingDir(GROUP_MOUNT)
                .withEnv(ENV.entrySet().stream().map(e -> new EnvVar(e.getKey(), e.getValue(), null)).toList())
                .withStdin(true)
                .withTty(false)
                .withNewResources().withLimits(resources).withRequests(resources).endResources()
                .withNewSecurityContext()
                    .withRunAsNonRoot(true).withRunAsUser(UID).withRunAsGroup(UID)
                    .withReadOnlyRootFilesystem(true)
                    .withAllowPrivilegeEscalation(false)
                    .withPrivileged(false)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addNewVolumeMount().withName("home").withMountPath(HOME).endVolumeMount()
                .addNewVolumeMount().withName("group").withMountPath(GROUP_MOUNT).endVolumeMount()
                .build();
        var pod = new PodSpecBuilder()
                .withRuntimeClassName(settings.runtimeClass())
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withHostNetwork(false).withHostPID(false).withHostIPC(false)
                .withRestartPolicy("Never")
                .withNewSecurityContext()
                    .withRunAsNonRoot(true).withRunAsUser(UID).withRunAsGroup(UID).withFsGroup(UID)
                    .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(agent)
                // memory-backed, so they count against the memory limit as Docker's tmpfs does
                .addNewVolume().withName("tmp").withNewEmptyDir().withMedium("Memory")
                    .withSizeLimit(new Quantity(String.valueOf(limits.tmpBytes()))).endEmptyDir().endVolume()
                .addNewVolume().withName("home").withNewEmptyDir().withMedium("Memory")
                    .withSizeLimit(new Quantity(String.valueOf(limits.homeBytes()))).endEmptyDir().endVolume()
                .build();
        if (groupId == null) {
            // a pooled pod serves any group, and a v1beta1 SandboxClaim cannot add a volume: the folder lives as
            // long as the sandbox
            return new PodSpecBuilder(pod).addNewVolume().withName("group").withNewEmptyDir().endEmptyDir()
                    .endVolume().build();
        }
        return new PodSpecBuilder(pod)
                .addNewVolume().withName("group").withNewPersistentVolumeClaim()
                    .withClaimName(folderClaimName(groupId)).endPersistentVolumeClaim().endVolume()
                // the first pod of a group matches its own term, so it may go anywhere; later ones join it
                .withNewAffinity().withNewPodAffinity().addNewRequiredDuringSchedulingIgnoredDuringExecution()
                    .withNewLabelSelector().withMatchLabels(orderedMap(PART_OF_LABEL, "claw4j", GROUP_LABEL, groupId))
                    .endLabelSelector().withTopologyKey("kubernetes.io/hostname")
                .endRequiredDuringSchedulingIgnoredDuringExecution().endPodAffinity().endAffinity()
                .build();
    }

    /** Claims check sandboxes out of a pool; with {@code warmPool: 0} it keeps none and each claim starts cold. */
    GenericKubernetesResource warmPool() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("replicas", settings.warmPool());
        spec.put("sandboxTemplateRef", Map.of("name", templateName()));
        return generic(WARM_POOLS, templateName(), installLabels(), spec);
    }

    GenericKubernetesResource claim(String name, String groupId) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("warmPoolRef", Map.of("name", templateName()));
        spec.put("additionalPodMetadata", Map.of("labels", groupLabels(groupId)));
        return generic(CLAIMS, name, groupLabels(groupId), spec);
    }

    /** No traffic in or out for this install's sandbox pods: the agent talks to the host over its exec stream. */
    NetworkPolicy networkPolicy() {
        return new NetworkPolicyBuilder()
                .withNewMetadata().withName(templateName() + "-isolated").withNamespace(settings.namespace())
                    .withLabels(installLabels()).endMetadata()
                .withNewSpec()
                    .withNewPodSelector().withMatchLabels(Map.of(INSTALL_LABEL, settings.installId(),
                            COMPONENT_LABEL, "sandbox")).endPodSelector()
                    .withPolicyTypes("Ingress", "Egress")
                    .withIngress(List.of()).withEgress(List.of())
                .endSpec()
                .build();
    }

    PersistentVolumeClaim folderClaim(String groupId) {
        var builder = new PersistentVolumeClaimBuilder()
                .withNewMetadata().withName(folderClaimName(groupId)).withNamespace(settings.namespace())
                    .withLabels(groupLabels(groupId)).endMetadata()
                .withNewSpec()
                    .withAccessModes("ReadWriteOnce")
                    .withNewResources().withRequests(Map.of("storage", new Quantity(settings.folderSize())))
                    .endResources()
                .endSpec();
        if (settings.storageClass() != null && !settings.storageClass().isBlank()) {
            builder.editSpec().withStorageClassName(settings.storageClass()).endSpec();
        }
        return builder.build();
    }

    static String folderClaimName(String groupId) {
        return "claw4j-folder-" + dnsPart(groupId);
    }

    /** A claim's name: the group (as far as DNS allows) and a random part, so a new start never meets an old claim. */
    static String claimName(String groupId, String random) {
        return "claw4j-" + dnsPart(groupId) + "-" + random;
    }

    /** Group ids may hold '_' and reach 63 characters; object names may not. The hash keeps two apart. */
    static String dnsPart(String groupId) {
        String base = groupId.replace('_', '-');
        if (base.length() > 30) {
            base = base.substring(0, 30);
        }
        base = base.replaceAll("-+$", "");
        return base + "-" + shortHash(groupId);
    }

    private static String shortHash(String value) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private GenericKubernetesResource generic(ResourceDefinitionContext context, String name,
                                              Map<String, String> labels, Map<String, Object> spec) {
        var resource = new GenericKubernetesResourceBuilder()
                .withApiVersion(context.getGroup() + "/" + context.getVersion())
                .withKind(context.getKind())
                .withNewMetadata().withName(name).withNamespace(settings.namespace()).withLabels(labels).endMetadata()
                .build();
        resource.setAdditionalProperty("spec", spec);
        return resource;
    }

    private static Map<String, String> orderedMap(String... keysAndValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
