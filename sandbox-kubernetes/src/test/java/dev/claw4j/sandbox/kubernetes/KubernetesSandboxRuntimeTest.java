package dev.claw4j.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.SandboxException;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxSpec;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime against fabric8's mock API server (CRUD mode): the exact objects it makes, the Ready wait with the
 * test playing the agent-sandbox controller, the timeout, orphans, the runtime class check, files through the pod.
 * After every test, every call the host made is checked against deploy/kubernetes' RBAC.
 */
class KubernetesSandboxRuntimeTest {
    private static final String INSTALL = "install-test-1";
    private static final List<String> FAKE_AGENT = List.of("fake-agent");
    /** The install's template (and pool, and policy prefix): its configured name and a hash of its id. */
    private static final String TEMPLATE = new SandboxObjects(new KubernetesSettings(FakeCluster.NAMESPACE, null, null,
            0, null, "registry.example.com/claw4j-agent:0.1.0", INSTALL, true, null, null),
            new io.fabric8.kubernetes.client.utils.KubernetesSerialization()).templateName();

    @TempDir
    Path pod;

    private FakeCluster cluster;

    @BeforeEach
    void start() {
        cluster = new FakeCluster();
        cluster.addRuntimeClass("gvisor", "runsc");
        // the pod's processes are local ones in a temp folder: the fake agent echoes its stdin back
        cluster.processes = command -> command.equals(FAKE_AGENT)
                ? new ProcessBuilder("sh", "-c", "echo ready; exec cat").directory(pod.toFile())
                : command.get(0).equals("sh") || command.get(0).equals("echo")
                ? FakeCluster.shellIn(pod, command) : null;
    }

    @AfterEach
    void everyCallIsAllowedByTheDeployRbac() {
        List<RbacRules.Request> calls = cluster.hostCalls();
        cluster.close();
        assertThat(calls).as("the host made calls").isNotEmpty();
        assertThat(RbacRules.ofDeploy().refused(calls)).as("calls deploy/kubernetes/rbac.yaml refuses").isEmpty();
    }

    /** No warm pool: each sandbox is a Sandbox of the group's own, with the group's volume claim. */
    private KubernetesSettings settings(String runtimeClass, boolean requireSecondWall, Duration readyTimeout) {
        return settings(runtimeClass, requireSecondWall, readyTimeout, 0, INSTALL);
    }

    /** A warm pool of 2: each sandbox is a claim on it. */
    private KubernetesSettings pooled(Duration readyTimeout) {
        return settings("gvisor", true, readyTimeout, 2, INSTALL);
    }

    private KubernetesSettings settings(String runtimeClass, boolean requireSecondWall, Duration readyTimeout,
                                        int warmPool, String install) {
        return new KubernetesSettings(FakeCluster.NAMESPACE, runtimeClass, "claw4j-agent", warmPool, readyTimeout,
                "registry.example.com/claw4j-agent:0.1.0", install, requireSecondWall, "2Gi", "fast");
    }

    private KubernetesSandboxRuntime runtime(KubernetesSettings settings) {
        return new KubernetesSandboxRuntime(cluster.host, settings, SandboxLimits.DEFAULTS, FAKE_AGENT);
    }

    private SandboxSpec spec(String group) {
        return new SandboxSpec(group, pod, null, SandboxLimits.DEFAULTS);
    }

    @Test
    void makesTheInstallsTemplateWarmPoolAndPolicyExactly() {
        var runtime = runtime(pooled(Duration.ofSeconds(5)));
        assertThat(runtime.isolation()).isEqualTo(new Isolation("gvisor/runsc", Isolation.Kind.GVISOR));

        assertThat(cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES).inNamespace("claw4j").list()
                .getItems()).singleElement().extracting(t -> t.getMetadata().getName()).isEqualTo(TEMPLATE);
        GenericKubernetesResource template = cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES)
                .inNamespace("claw4j").withName(TEMPLATE).get();
        assertThat(template.getMetadata().getLabels()).containsEntry("claw4j.dev/install", INSTALL)
                .containsEntry("app.kubernetes.io/component", "sandbox");
        Map<String, Object> spec = map(template.getAdditionalProperties().get("spec"));
        assertThat(spec.get("networkPolicyManagement")).isEqualTo("Unmanaged");
        assertThat(spec.get("envVarsInjectionPolicy")).isEqualTo("Disallowed");
        Map<String, Object> podTemplate = map(spec.get("podTemplate"));
        assertThat(map(map(podTemplate.get("metadata")).get("labels")))
                .containsEntry("claw4j.dev/install", INSTALL);
        PodSpec pod = cluster.test.getKubernetesSerialization().convertValue(podTemplate.get("spec"), PodSpec.class);
        assertThat(pod.getRuntimeClassName()).isEqualTo("gvisor");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getEnableServiceLinks()).isFalse();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1000L);
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getContainers()).hasSize(1);
        Container agent = pod.getContainers().get(0);
        assertThat(agent.getName()).isEqualTo("agent");
        assertThat(agent.getImage()).isEqualTo("registry.example.com/claw4j-agent:0.1.0");
        assertThat(agent.getCommand()).containsExactly("sleep", "infinity");
        assertThat(agent.getStdin()).isTrue();
        var security = agent.getSecurityContext();
        assertThat(security.getRunAsNonRoot()).isTrue();
        assertThat(security.getRunAsUser()).isEqualTo(1000L);
        assertThat(security.getReadOnlyRootFilesystem()).isTrue();
        assertThat(security.getAllowPrivilegeEscalation()).isFalse();
        assertThat(security.getPrivileged()).isFalse();
        assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(agent.getResources().getLimits()).containsEntry("memory", new Quantity(String.valueOf(512L << 20)))
                .containsEntry("cpu", new Quantity("1000m"));
        assertThat(agent.getEnv()).extracting(e -> e.getName() + "=" + e.getValue()).containsExactly(
                "HOME=/home/agent", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "LANG=C.UTF-8", "CLAW4J_WORKSPACE=/workspace");
        assertThat(agent.getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath())
                .containsExactly("tmp:/tmp", "home:/home/agent", "group:/workspace/group");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("tmp")).singleElement()
                .satisfies(v -> assertThat(v.getEmptyDir().getMedium()).isEqualTo("Memory"));
        assertThat(pod.getHostNetwork()).isFalse();

        GenericKubernetesResource pool = cluster.test.genericKubernetesResources(SandboxObjects.WARM_POOLS)
                .inNamespace("claw4j").withName(TEMPLATE).get();
        assertThat(map(pool.getAdditionalProperties().get("spec")))
                .containsEntry("replicas", 2).containsEntry("sandboxTemplateRef", Map.of("name", TEMPLATE));

        NetworkPolicy policy = cluster.test.network().v1().networkPolicies().inNamespace("claw4j")
                .withName(TEMPLATE + "-isolated").get();
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("claw4j.dev/install", INSTALL, "app.kubernetes.io/component", "sandbox"));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(policy.getSpec().getEgress()).isEmpty();
        assertThat(policy.getSpec().getIngress()).isEmpty();

        // a second start of the host updates them in place instead of failing on "already exists"
        runtime(pooled(Duration.ofSeconds(5)));
        assertThat(cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES).inNamespace("claw4j").list()
                .getItems()).hasSize(1);
    }

    /** The install's objects are named after it: a second host (its own install id) never writes the first's. */
    @Test
    void twoHostsOfOneConfigEachMakeTheirOwnTemplateAndPolicy() {
        runtime(pooled(Duration.ofSeconds(5)));
        runtime(settings("gvisor", true, Duration.ofSeconds(5), 2, "install-test-2"));
        var templates = cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES).inNamespace("claw4j").list()
                .getItems();
        assertThat(templates).extracting(t -> t.getMetadata().getName()).hasSize(2).doesNotHaveDuplicates()
                .allSatisfy(name -> assertThat(name).startsWith("claw4j-agent-").hasSizeLessThanOrEqualTo(63));
        assertThat(templates).extracting(t -> t.getMetadata().getLabels().get("claw4j.dev/install"))
                .containsExactlyInAnyOrder(INSTALL, "install-test-2");
        // each pool names its own install's template, and each policy selects its own install's pods
        for (GenericKubernetesResource pool : cluster.test.genericKubernetesResources(SandboxObjects.WARM_POOLS)
                .inNamespace("claw4j").list().getItems()) {
            assertThat(map(pool.getAdditionalProperties().get("spec")).get("sandboxTemplateRef"))
                    .isEqualTo(Map.of("name", pool.getMetadata().getName()));
        }
        assertThat(cluster.test.network().v1().networkPolicies().inNamespace("claw4j").list().getItems())
                .extracting(p -> p.getSpec().getPodSelector().getMatchLabels().get("claw4j.dev/install"))
                .containsExactlyInAnyOrder(INSTALL, "install-test-2");
    }

    /**
     * Two hosts wrongly sharing one install id write the same objects: an update from a read the other host's write
     * made stale is refused with 409 Conflict, and is made again from a fresh read.
     */
    @Test
    void anUpdateRefusedAsConflictingIsMadeAgain() {
        runtime(pooled(Duration.ofSeconds(5)));
        cluster.conflicts.set(2);
        runtime(pooled(Duration.ofSeconds(5)));
        assertThat(cluster.conflicts.get()).as("the conflicts were met").isZero();
        assertThat(cluster.hostCalls()).filteredOn(c -> c.verb().equals("update")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES).inNamespace("claw4j").list()
                .getItems()).hasSize(1);
        // more conflicts than it tries: the start fails naming what to check, instead of looping
        cluster.conflicts.set(100);
        assertThatThrownBy(() -> runtime(pooled(Duration.ofSeconds(5)))).isInstanceOf(SandboxException.class)
                .hasMessageContaining("(HTTP 409)");
        cluster.conflicts.set(0);
    }

    @Test
    void withoutAWarmPoolThereIsNoTemplateAndEachSandboxIsTheGroupsOwn() {
        runtime(settings("gvisor", true, Duration.ofSeconds(5)));
        assertThat(cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES).inNamespace("claw4j").list()
                .getItems()).isEmpty();
        assertThat(cluster.test.genericKubernetesResources(SandboxObjects.WARM_POOLS).inNamespace("claw4j").list()
                .getItems()).isEmpty();
        assertThat(cluster.test.network().v1().networkPolicies().inNamespace("claw4j").withName(TEMPLATE + "-isolated")
                .get()).isNotNull();
    }

    /**
     * The group's folder outlives its pod: each sandbox is a Sandbox whose pod mounts the group's volume claim at
     * /workspace/group; stopping deletes the Sandbox and keeps the claim; the next sandbox of the group mounts the
     * same claim, on the node of the group's other pods.
     */
    @Test
    void eachSandboxOfAGroupMountsTheGroupsOwnVolumeClaim() throws Exception {
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(10)));
        var first = runtime.start(spec("team_a"));
        assertThat(cluster.claims()).as("no warm pool, no claim").isEmpty();

        GenericKubernetesResource box = cluster.sandboxes().getFirst();
        assertThat(box.getApiVersion()).isEqualTo("agents.x-k8s.io/v1beta1");
        assertThat(box.getMetadata().getName()).isEqualTo(first.name()).startsWith("claw4j-team-a-");
        assertThat(box.getMetadata().getLabels()).containsEntry("claw4j.dev/install", INSTALL)
                .containsEntry("claw4j.dev/group", "team_a").containsEntry("app.kubernetes.io/component", "sandbox");
        Map<String, Object> boxSpec = map(box.getAdditionalProperties().get("spec"));
        assertThat(boxSpec).containsOnlyKeys("podTemplate");
        Map<String, Object> podTemplate = map(boxSpec.get("podTemplate"));
        assertThat(map(map(podTemplate.get("metadata")).get("labels")))
                .containsEntry("claw4j.dev/install", INSTALL).containsEntry("claw4j.dev/group", "team_a")
                .containsEntry("app.kubernetes.io/component", "sandbox");
        PodSpec pod = cluster.test.getKubernetesSerialization().convertValue(podTemplate.get("spec"), PodSpec.class);
        String folder = SandboxObjects.folderClaimName("team_a");
        assertThat(pod.getVolumes()).filteredOn(v -> v.getName().equals("group")).singleElement()
                .satisfies(v -> {
                    assertThat(v.getEmptyDir()).isNull();
                    assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(folder);
                    assertThat(v.getPersistentVolumeClaim().getReadOnly()).isNotEqualTo(Boolean.TRUE);
                });
        assertThat(pod.getContainers().getFirst().getVolumeMounts()).extracting(m -> m.getName() + ":" + m.getMountPath())
                .contains("group:/workspace/group");
        var affinity = pod.getAffinity().getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(affinity).singleElement().satisfies(term -> {
            assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
            assertThat(term.getLabelSelector().getMatchLabels())
                    .isEqualTo(Map.of("app.kubernetes.io/part-of", "claw4j", "claw4j.dev/group", "team_a"));
        });
        // the hardening is the same as the template's
        assertThat(pod.getRuntimeClassName()).isEqualTo("gvisor");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        assertThat(pod.getContainers().getFirst().getSecurityContext().getReadOnlyRootFilesystem()).isTrue();

        PersistentVolumeClaim claim = cluster.test.persistentVolumeClaims().inNamespace("claw4j").withName(folder).get();
        assertThat(claim.getMetadata().getLabels()).containsEntry("claw4j.dev/group", "team_a");
        assertThat(claim.getMetadata().getOwnerReferences()).as("no owner would delete it").isNullOrEmpty();
        assertThat(claim.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(claim.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("2Gi"));
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
        // the controller made the pod from it: the pod the agent runs in mounts the claim
        assertThat(cluster.test.pods().inNamespace("claw4j").withName(first.name()).get().getSpec().getVolumes())
                .filteredOn(v -> v.getName().equals("group")).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(folder));

        first.stop(Duration.ofSeconds(5));
        assertThat(cluster.sandboxes()).as("the Sandbox is deleted when it stops").isEmpty();
        assertThat(cluster.test.persistentVolumeClaims().inNamespace("claw4j").withName(folder).get())
                .as("the folder's claim stays").isNotNull();

        var second = runtime.start(spec("team_a"));
        assertThat(second.name()).isNotEqualTo(first.name());
        PodSpec again = cluster.test.getKubernetesSerialization().convertValue(map(map(cluster.sandboxes().getFirst()
                .getAdditionalProperties().get("spec")).get("podTemplate")).get("spec"), PodSpec.class);
        assertThat(again.getVolumes()).filteredOn(v -> v.getName().equals("group")).singleElement()
                .satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo(folder));
        assertThat(cluster.test.persistentVolumeClaims().inNamespace("claw4j").list().getItems())
                .as("one claim per group, made once").hasSize(1);
        // another group gets its own
        var other = runtime.start(spec("team_b"));
        assertThat(cluster.test.persistentVolumeClaims().inNamespace("claw4j").list().getItems())
                .extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder(folder, SandboxObjects.folderClaimName("team_b"));
        second.stop(Duration.ZERO);
        other.stop(Duration.ZERO);
    }

    @Test
    void withAWarmPoolClaimsASandboxPerGroupWaitsForReadyAndTalksToTheAgentThroughThePod() throws Exception {
        var runtime = runtime(pooled(Duration.ofSeconds(10)));
        var sandbox = runtime.start(spec("team_a"));

        GenericKubernetesResource claim = cluster.claims().getFirst();
        assertThat(claim.getMetadata().getName()).isEqualTo(sandbox.name()).startsWith("claw4j-team-a-");
        assertThat(claim.getMetadata().getLabels()).containsEntry("claw4j.dev/install", INSTALL)
                .containsEntry("claw4j.dev/group", "team_a");
        Map<String, Object> claimSpec = map(claim.getAdditionalProperties().get("spec"));
        assertThat(claimSpec.get("warmPoolRef")).isEqualTo(Map.of("name", TEMPLATE));
        assertThat(map(map(claimSpec.get("additionalPodMetadata")).get("labels")))
                .containsEntry("claw4j.dev/group", "team_a").containsEntry("claw4j.dev/install", INSTALL);
        assertThat(cluster.test.persistentVolumeClaims().inNamespace("claw4j").list().getItems())
                .as("a pooled pod cannot mount a group's claim, so none is made").isEmpty();

        // the stdio is the exec stream: what goes in comes back out of the echoing agent
        var out = new BufferedReader(new InputStreamReader(sandbox.stdout(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        sandbox.stdin().write("{\"type\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8));
        sandbox.stdin().flush();
        assertThat(out.readLine()).isEqualTo("{\"type\":\"ping\"}");

        sandbox.stop(Duration.ofSeconds(5));
        assertThat(sandbox.exit()).isCompleted();
        assertThat(cluster.claims()).as("the claim is deleted when the sandbox stops").isEmpty();
    }

    @Test
    void aSandboxThatNeverGetsReadyTimesOutNamingItAndIsDeleted() {
        cluster.controllerReady = false;
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(1)));
        assertThatThrownBy(() -> runtime.start(spec("slow")))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("was not Ready after 1 s and was deleted")
                .hasMessageContaining("kubectl -n claw4j describe sandbox claw4j-slow-")
                .hasMessageContaining("RuntimeClass gvisor")
                .hasMessageContaining("that the volume claim " + SandboxObjects.folderClaimName("slow") + " binds");
        assertThat(cluster.sandboxes()).isEmpty();

        var pooled = runtime(pooled(Duration.ofSeconds(1)));
        assertThatThrownBy(() -> pooled.start(spec("slow")))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("was not Ready after 1 s and was deleted")
                .hasMessageContaining("kubectl -n claw4j describe sandboxclaim claw4j-slow-");
        assertThat(cluster.claims()).isEmpty();
    }

    @Test
    void removesThisInstallsOrphanClaimsAndSandboxesAndNoOneElses() throws Exception {
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(10)));
        var live = runtime.start(spec("alive"));
        cluster.test.genericKubernetesResources(SandboxObjects.CLAIMS).inNamespace("claw4j")
                .resource(claim("claw4j-left-over", INSTALL)).create();
        cluster.test.genericKubernetesResources(SandboxObjects.CLAIMS).inNamespace("claw4j")
                .resource(claim("someone-elses", "other-install")).create();
        cluster.test.genericKubernetesResources(SandboxObjects.SANDBOXES).inNamespace("claw4j")
                .resource(sandbox("claw4j-left-over-box", INSTALL, false)).create();
        cluster.test.genericKubernetesResources(SandboxObjects.SANDBOXES).inNamespace("claw4j")
                .resource(sandbox("someone-elses-box", "other-install", false)).create();
        // a Sandbox a claim of ours owns is the claim's to remove, with it
        cluster.test.genericKubernetesResources(SandboxObjects.SANDBOXES).inNamespace("claw4j")
                .resource(sandbox("claim-owned-box", INSTALL, true)).create();

        assertThat(runtime.removeOrphans()).isEqualTo(2);
        assertThat(cluster.claims()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("someone-elses");
        assertThat(cluster.sandboxes()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder(live.name(), "someone-elses-box", "claim-owned-box");
        live.stop(Duration.ZERO);
    }

    private static GenericKubernetesResource sandbox(String name, String install, boolean owned) {
        var builder = new GenericKubernetesResourceBuilder().withApiVersion("agents.x-k8s.io/v1beta1")
                .withKind("Sandbox").withNewMetadata().withName(name).withNamespace("claw4j")
                .withLabels(Map.of("claw4j.dev/install", install, "claw4j.dev/group", "g"));
        if (owned) {
            builder = builder.addNewOwnerReference().withApiVersion("extensions.agents.x-k8s.io/v1beta1")
                    .withKind("SandboxClaim").withName("claw4j-g-1").withUid("u-1").withController(true)
                    .endOwnerReference();
        }
        var box = builder.endMetadata().build();
        box.setAdditionalProperty("spec", Map.of());
        return box;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        assertThat(value).isInstanceOf(Map.class);
        return (Map<String, Object>) value;
    }

    private static GenericKubernetesResource claim(String name, String install) {
        var claim = new GenericKubernetesResourceBuilder().withApiVersion("extensions.agents.x-k8s.io/v1beta1")
                .withKind("SandboxClaim").withNewMetadata().withName(name).withNamespace("claw4j")
                .withLabels(Map.of("claw4j.dev/install", install, "claw4j.dev/group", "g")).endMetadata().build();
        claim.setAdditionalProperty("spec", Map.of("warmPoolRef", Map.of("name", "claw4j-agent")));
        // Ready already, so the stand-in controller leaves it as it is
        claim.setAdditionalProperty("status", Map.of("conditions", List.of(Map.of("type", "Ready", "status", "True"))));
        return claim;
    }

    @Test
    void aRuntimeClassOfPlainRuncIsRefusedWhenASecondWallIsRequired() {
        cluster.addRuntimeClass("runc", "runc");
        cluster.addRuntimeClass("kata-fc", "kata-fc");
        assertThatThrownBy(() -> runtime(settings("runc", true, Duration.ofSeconds(1))))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("RuntimeClass runc has the handler runc, a plain container with no second wall")
                .hasMessageContaining("requireSecondWall: false");
        assertThat(cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES).inNamespace("claw4j").list()
                .getItems()).as("nothing made for a refused class").isEmpty();
        assertThat(runtime(settings("runc", false, Duration.ofSeconds(1))).isolation().kind())
                .isEqualTo(Isolation.Kind.CONTAINER);
        assertThat(runtime(settings("kata-fc", true, Duration.ofSeconds(1))).isolation().kind())
                .isEqualTo(Isolation.Kind.MICROVM);
        assertThatThrownBy(() -> runtime(settings("missing", false, Duration.ofSeconds(1))))
                .hasMessageContaining("the cluster has no RuntimeClass missing");
    }

    @Test
    void filesGoInAndOutThroughThePodBoundedAndNeverThroughALink() throws Exception {
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(10)));
        var sandbox = (PodSandbox) runtime.start(spec("files"));
        sandbox.writeFile("note.txt", "hello from the host".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(pod.resolve("note.txt"))).isEqualTo("hello from the host");
        assertThat(sandbox.readFile("note.txt", 100)).asString(StandardCharsets.UTF_8).isEqualTo("hello from the host");

        assertThatThrownBy(() -> sandbox.readFile("note.txt", 5)).hasMessageContaining("is more than 5 bytes");
        assertThatThrownBy(() -> sandbox.readFile("nothing.txt", 5)).hasMessageContaining("does not exist");
        Files.createDirectory(pod.resolve("dir"));
        assertThatThrownBy(() -> sandbox.readFile("dir", 5)).hasMessageContaining("is not a plain file");
        // the attack: a link the agent made to a file outside; it must not be followed either way
        Path outside = Files.writeString(Files.createTempFile("outside", ".txt"), "secret");
        Files.createSymbolicLink(pod.resolve("link"), outside);
        assertThat(Files.readString(pod.resolve("link"))).isEqualTo("secret");
        assertThatThrownBy(() -> sandbox.readFile("link", 100)).hasMessageContaining("is a link");
        assertThatThrownBy(() -> sandbox.writeFile("link", new byte[] {1})).hasMessageContaining("is a link");
        assertThat(Files.readString(outside)).isEqualTo("secret");
        Files.delete(outside);
        sandbox.stop(Duration.ZERO);
    }

    /**
     * A file a person sent goes into the group's inbox through the pod (the folder is the pod's volume, which the
     * host never sees), under a safe name; a link the agent left there, or as the inbox itself, is refused, and a
     * FIFO at the name cannot hold the write up.
     */
    @Test
    void filesPeopleSendGoIntoTheInboxThroughThePod() throws Exception {
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(10)));
        var sandbox = runtime.start(spec("inbox"));
        assertThat(sandbox.seesHostFolder()).isFalse();
        assertThat(sandbox.putInbox("7-1-../../report.pdf", "pdf bytes".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("inbox/report.pdf");
        assertThat(Files.readString(pod.resolve("inbox/report.pdf"))).isEqualTo("pdf bytes");
        assertThat(sandbox.putInbox("7-2-notes.txt", new byte[0])).isEqualTo("inbox/7-2-notes.txt");
        assertThat(pod.resolve("inbox/7-2-notes.txt")).isEmptyFile();
        try (var left = Files.list(pod.resolve("inbox"))) {
            assertThat(left).as("no temporary file left").hasSize(2);
        }

        // the agent planted a FIFO at the next file's name: the write replaces it instead of blocking on it
        assertThat(new ProcessBuilder("mkfifo", pod.resolve("inbox/8-1-a.txt").toString()).start().waitFor()).isZero();
        assertThat(Files.isRegularFile(pod.resolve("inbox/8-1-a.txt"))).isFalse();
        sandbox.putInbox("8-1-a.txt", "a".getBytes(StandardCharsets.UTF_8));
        assertThat(Files.readString(pod.resolve("inbox/8-1-a.txt"))).isEqualTo("a");

        // the attack: inbox/ made a link to a folder outside; the write must not go through it
        Path outside = Files.createTempDirectory("outside");
        Files.move(pod.resolve("inbox"), pod.resolve("inbox-old"));
        Files.createSymbolicLink(pod.resolve("inbox"), outside);
        assertThat(Files.isDirectory(pod.resolve("inbox"))).as("the link resolves").isTrue();
        assertThatThrownBy(() -> sandbox.putInbox("9-1-b.txt", "b".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(SandboxException.class).hasMessageContaining("is a link or not a folder");
        try (var written = Files.list(outside)) {
            assertThat(written).isEmpty();
        }
        Files.delete(outside);
        sandbox.stop(Duration.ZERO);
    }

    /**
     * An agent the kernel killed for its memory: the exec ends with 137 and the kubelet reports the container
     * OOMKilled; the sandbox's exit says out of memory, as Docker's does, so the turn audits "out of memory".
     */
    @Test
    void anAgentKilledForItsMemoryEndsOutOfMemory() throws Exception {
        var exit = exitOfAKilledAgent("hungry", true);
        assertThat(exit).isEqualTo(new dev.claw4j.core.sandbox.SandboxExit(137, true));
        assertThat(exit.describe()).isEqualTo("killed: out of memory (exit 137)");
    }

    /** A 137 the kubelet does not call an OOM kill (a plain SIGKILL) is reported as such: not out of memory. */
    @Test
    void aKillWithoutAnOomReportIsNotOutOfMemory() throws Exception {
        assertThat(exitOfAKilledAgent("killed", false)).isEqualTo(new dev.claw4j.core.sandbox.SandboxExit(137, false));
    }

    /** Starts an agent that ends with 137 once told to, the kubelet reporting the pod OOMKilled first or not. */
    private dev.claw4j.core.sandbox.SandboxExit exitOfAKilledAgent(String group, boolean oomReported)
            throws Exception {
        cluster.processes = command -> command.equals(FAKE_AGENT)
                ? new ProcessBuilder("sh", "-c", "echo ready; read line; exit 137").directory(pod.toFile()) : null;
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(10)));
        var sandbox = runtime.start(spec(group));
        var out = new BufferedReader(new InputStreamReader(sandbox.stdout(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        if (oomReported) {
            cluster.reportOomKilled(sandbox.name());
        }
        sandbox.stdin().write("go\n".getBytes(StandardCharsets.UTF_8));
        sandbox.stdin().flush();
        try {
            return sandbox.exit().get(20, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            sandbox.stop(Duration.ZERO);
        }
    }

    /**
     * The pod has no pid limit of its own: where it has its own kernel, the agent runs under prlimit with the
     * sandbox's pids as its nproc; on a plain container (where that count is the node's) it does not.
     */
    @Test
    void theAgentRunsUnderThePidLimitWhereThePodHasItsOwnKernel() {
        var limits = new SandboxLimits(512L << 20, 1.0, 300, 64L << 20, 64L << 20, SandboxLimits.DEFAULTS.turnTimeout());
        assertThat(KubernetesSandboxRuntime.agentCommand(limits, true)).startsWith("prlimit", "--nproc=300:300", "--",
                "/opt/claw4j/jre/bin/java").contains("-XX:MaxRAM=" + (512L << 20)).endsWith("-jar",
                "/opt/claw4j/agent.jar");
        assertThat(KubernetesSandboxRuntime.agentCommand(limits, false)).startsWith("/opt/claw4j/jre/bin/java")
                .doesNotContain("prlimit").endsWith("-jar", "/opt/claw4j/agent.jar");
        // the runtime's own default command is the one an exec runs in the pod: gVisor's class, prlimit
        cluster.processes = command -> {
            seen.add(command);
            return command.contains("/opt/claw4j/agent.jar")
                    ? new ProcessBuilder("sh", "-c", "echo ready; exec cat") : null;
        };
        new KubernetesSandboxRuntime(cluster.host, settings("gvisor", true, Duration.ofSeconds(10)), limits)
                .start(spec("pids")).stop(Duration.ZERO);
        assertThat(seen).contains(KubernetesSandboxRuntime.agentCommand(limits, true));
        cluster.addRuntimeClass("runc", "runc");
        new KubernetesSandboxRuntime(cluster.host, settings("runc", false, Duration.ofSeconds(10)), limits)
                .start(spec("pids")).stop(Duration.ZERO);
        assertThat(seen).contains(KubernetesSandboxRuntime.agentCommand(limits, false));
    }

    private final List<List<String>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Test
    void aOneOffCommandRunsInItsOwnClaimAndItsOutputIsCut() {
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(10)));
        var result = runtime.exec(spec("task"), List.of("sh", "-c", "echo 0123456789; echo oops >&2; exit 3"),
                Duration.ofSeconds(20), 4);
        assertThat(result.exit().exitCode()).isEqualTo(3);
        assertThat(result.stdout()).isEqualTo("0123");
        assertThat(result.stderr()).isEqualTo("oops");
        assertThat(result.truncated()).isTrue();
        assertThat(result.timedOut()).isFalse();
        assertThat(cluster.claims()).as("its claim is gone").isEmpty();
    }
}
