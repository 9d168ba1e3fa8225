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

    private KubernetesSettings settings(String runtimeClass, boolean requireSecondWall, Duration readyTimeout) {
        return new KubernetesSettings(FakeCluster.NAMESPACE, runtimeClass, "claw4j-agent", 2, readyTimeout,
                "registry.example.com/claw4j-agent:0.1.0", INSTALL, requireSecondWall, "2Gi", "fast");
    }

    private KubernetesSandboxRuntime runtime(KubernetesSettings settings) {
        return new KubernetesSandboxRuntime(cluster.host, settings, SandboxLimits.DEFAULTS, FAKE_AGENT);
    }

    private SandboxSpec spec(String group) {
        return new SandboxSpec(group, pod, null, SandboxLimits.DEFAULTS);
    }

    @Test
    void makesTheInstallsTemplateWarmPoolAndPolicyExactly() {
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(5)));
        assertThat(runtime.isolation()).isEqualTo(new Isolation("gvisor/runsc", Isolation.Kind.GVISOR));

        GenericKubernetesResource template = cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES)
                .inNamespace("claw4j").withName("claw4j-agent").get();
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
                .inNamespace("claw4j").withName("claw4j-agent").get();
        assertThat(map(pool.getAdditionalProperties().get("spec")))
                .containsEntry("replicas", 2).containsEntry("sandboxTemplateRef", Map.of("name", "claw4j-agent"));

        NetworkPolicy policy = cluster.test.network().v1().networkPolicies().inNamespace("claw4j")
                .withName("claw4j-agent-isolated").get();
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(Map.of("claw4j.dev/install", INSTALL, "app.kubernetes.io/component", "sandbox"));
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress", "Egress");
        assertThat(policy.getSpec().getEgress()).isEmpty();
        assertThat(policy.getSpec().getIngress()).isEmpty();

        // a second start of the host updates them in place instead of failing on "already exists"
        runtime(settings("gvisor", true, Duration.ofSeconds(5)));
        assertThat(cluster.test.genericKubernetesResources(SandboxObjects.TEMPLATES).inNamespace("claw4j").list()
                .getItems()).hasSize(1);
    }

    @Test
    void claimsASandboxPerGroupWaitsForReadyAndTalksToTheAgentThroughThePod() throws Exception {
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(10)));
        var sandbox = runtime.start(spec("team_a"));

        GenericKubernetesResource claim = cluster.claims().getFirst();
        assertThat(claim.getMetadata().getName()).isEqualTo(sandbox.name()).startsWith("claw4j-team-a-");
        assertThat(claim.getMetadata().getLabels()).containsEntry("claw4j.dev/install", INSTALL)
                .containsEntry("claw4j.dev/group", "team_a");
        Map<String, Object> claimSpec = map(claim.getAdditionalProperties().get("spec"));
        assertThat(claimSpec.get("warmPoolRef")).isEqualTo(Map.of("name", "claw4j-agent"));
        assertThat(map(map(claimSpec.get("additionalPodMetadata")).get("labels")))
                .containsEntry("claw4j.dev/group", "team_a").containsEntry("claw4j.dev/install", INSTALL);

        PersistentVolumeClaim folder = cluster.test.persistentVolumeClaims().inNamespace("claw4j")
                .withName(SandboxObjects.folderClaimName("team_a")).get();
        assertThat(folder.getMetadata().getLabels()).containsEntry("claw4j.dev/group", "team_a");
        assertThat(folder.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
        assertThat(folder.getSpec().getResources().getRequests()).containsEntry("storage", new Quantity("2Gi"));
        assertThat(folder.getSpec().getStorageClassName()).isEqualTo("fast");

        // the stdio is the exec stream: what goes in comes back out of the echoing agent
        var out = new BufferedReader(new InputStreamReader(sandbox.stdout(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).isEqualTo("ready");
        sandbox.stdin().write("{\"type\":\"ping\"}\n".getBytes(StandardCharsets.UTF_8));
        sandbox.stdin().flush();
        assertThat(out.readLine()).isEqualTo("{\"type\":\"ping\"}");

        sandbox.stop(Duration.ofSeconds(5));
        assertThat(sandbox.exit()).isCompleted();
        assertThat(cluster.claims()).as("the claim is deleted when the sandbox stops").isEmpty();
        assertThat(cluster.test.persistentVolumeClaims().inNamespace("claw4j")
                .withName(SandboxObjects.folderClaimName("team_a")).get()).as("the folder's claim stays").isNotNull();
    }

    @Test
    void aClaimThatNeverGetsReadyTimesOutNamingItAndIsDeleted() {
        cluster.controllerReady = false;
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(1)));
        assertThatThrownBy(() -> runtime.start(spec("slow")))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("was not Ready after 1 s and was deleted")
                .hasMessageContaining("kubectl -n claw4j describe sandboxclaim claw4j-slow-")
                .hasMessageContaining("RuntimeClass gvisor");
        assertThat(cluster.claims()).isEmpty();
    }

    @Test
    void removesThisInstallsOrphanClaimsAndNoOneElses() throws Exception {
        var runtime = runtime(settings("gvisor", true, Duration.ofSeconds(10)));
        var live = runtime.start(spec("alive"));
        cluster.test.genericKubernetesResources(SandboxObjects.CLAIMS).inNamespace("claw4j")
                .resource(claim("claw4j-left-over", INSTALL)).create();
        cluster.test.genericKubernetesResources(SandboxObjects.CLAIMS).inNamespace("claw4j")
                .resource(claim("someone-elses", "other-install")).create();

        assertThat(runtime.removeOrphans()).isEqualTo(1);
        assertThat(cluster.claims()).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder(live.name(), "someone-elses");
        live.stop(Duration.ZERO);
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
