package dev.claw4j.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every file under deploy/kubernetes loads into fabric8's typed objects and is accepted by the mock API server. */
class DeployManifestsTest {

    /** The kinds deploy/kubernetes holds, each read into its own fabric8 class (not a generic map). */
    private static final Map<String, Class<?>> TYPED = Map.ofEntries(
            Map.entry("Namespace", Namespace.class),
            Map.entry("ServiceAccount", ServiceAccount.class),
            Map.entry("Role", Role.class),
            Map.entry("RoleBinding", RoleBinding.class),
            Map.entry("ClusterRole", ClusterRole.class),
            Map.entry("ClusterRoleBinding", ClusterRoleBinding.class),
            Map.entry("NetworkPolicy", NetworkPolicy.class),
            Map.entry("ConfigMap", ConfigMap.class),
            Map.entry("Secret", Secret.class),
            Map.entry("StatefulSet", StatefulSet.class),
            Map.entry("PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("Service", Service.class),
            Map.entry("RuntimeClass", RuntimeClass.class));

    /** Kinds of the agent-sandbox CRDs, which fabric8 has no classes for: read and sent as generic resources. */
    private static final Set<String> SANDBOX_GROUPS = Set.of("agents.x-k8s.io", "extensions.agents.x-k8s.io");

    private final Path dir = DeployManifests.dir();
    private KubernetesMockServer server;
    private KubernetesClient client;

    @BeforeEach
    void startServer() {
        // CRUD mode: the fake stores what it is sent and answers reads from it, as an API server does
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
    }

    @AfterEach
    void stopServer() {
        client.close();
        server.destroy();
    }

    @Test
    void every_file_loads_into_typed_objects() {
        List<Path> files = DeployManifests.files(dir);
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("namespace.yaml", "serviceaccount.yaml",
                "rbac.yaml", "networkpolicies.yaml", "configmap.yaml", "statefulset.yaml", "service.yaml",
                "runtimeclasses.yaml", "secret.example.yaml");
        for (Path file : files) {
            List<HasMetadata> objects = DeployManifests.load(file);
            assertThat(objects).as(file + " holds objects").isNotEmpty();
            for (HasMetadata o : objects) {
                String what = file.getFileName() + ": " + o.getKind() + " " + o.getMetadata().getName();
                if (o instanceof GenericKubernetesResource) {
                    assertThat(SANDBOX_GROUPS).as(what + " is read generically, so it must be an agent-sandbox kind")
                            .contains(o.getApiVersion().split("/")[0]);
                } else {
                    assertThat(o).as(what).isInstanceOf(TYPED.get(o.getKind()));
                }
                assertThat(o.getMetadata().getName()).as(what + " has a name").isNotBlank();
            }
        }
    }

    @Test
    void every_object_is_accepted_by_the_mock_api_server_and_read_back_the_same() {
        List<HasMetadata> all = DeployManifests.load(dir);
        assertThat(all).hasSizeGreaterThanOrEqualTo(15);
        for (HasMetadata o : all) {
            HasMetadata created = create(o);
            HasMetadata back = get(o);
            String what = o.getKind() + " " + o.getMetadata().getName();
            assertThat(created).as(what + " created").isNotNull();
            assertThat(back).as(what + " read back").isNotNull();
            assertThat(back.getMetadata().getNamespace()).as(what).isEqualTo(o.getMetadata().getNamespace());
            // what the server stored is what the file says, apart from the fields the server sets
            assertThat(withoutServerFields(back)).as(what).isEqualTo(withoutServerFields(o));
        }
        assertThat(client.rbac().roles().inNamespace("claw4j").withName("claw4j-sandbox-runtime").get()).isNotNull();
        assertThat(client.apps().statefulSets().inNamespace("claw4j").list().getItems()).hasSize(1);
        assertThat(client.network().v1().networkPolicies().inNamespace("claw4j").list().getItems()).hasSize(3);
        assertThat(client.resources(RuntimeClass.class).list().getItems())
                .extracting(r -> r.getMetadata().getName() + "=" + r.getHandler())
                .containsExactlyInAnyOrder("gvisor=runsc", "kata-fc=kata-fc", "kata-qemu=kata-qemu");
    }

    /** deploy/kubernetes holds no agent-sandbox objects today (the runtime makes them); a file that did would work. */
    @Test
    void an_agent_sandbox_object_loads_as_a_generic_resource_and_round_trips(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("pool.yaml");
        Files.writeString(file, """
                # a warm pool an operator might add
                apiVersion: extensions.agents.x-k8s.io/v1beta1
                kind: SandboxWarmPool
                metadata:
                  name: claw4j-agent
                  namespace: claw4j
                spec:
                  replicas: 2
                  sandboxTemplateRef:
                    name: claw4j-agent
                """);
        List<HasMetadata> objects = DeployManifests.load(file);
        assertThat(objects).singleElement().isInstanceOf(GenericKubernetesResource.class);
        GenericKubernetesResource pool = (GenericKubernetesResource) objects.getFirst();
        create(pool);
        GenericKubernetesResource back = (GenericKubernetesResource) get(pool);
        assertThat(back.getKind()).isEqualTo("SandboxWarmPool");
        assertThat(back.getAdditionalProperties().get("spec"))
                .isEqualTo(Map.of("replicas", 2, "sandboxTemplateRef", Map.of("name", "claw4j-agent")));
    }

    @Test
    void kustomization_lists_every_file_but_the_example_secret_and_the_cluster_wide_runtime_classes()
            throws IOException {
        Map<String, Object> kustomization = Serialization.unmarshal(
                Files.readString(dir.resolve("kustomization.yaml")), Map.class);
        @SuppressWarnings("unchecked")
        List<String> resources = (List<String>) kustomization.get("resources");
        for (String r : resources) {
            assertThat(dir.resolve(r)).as("kustomization.yaml lists " + r).isRegularFile();
        }
        List<String> files = new ArrayList<>(DeployManifests.files(dir).stream()
                .map(p -> p.getFileName().toString()).toList());
        files.removeAll(resources);
        assertThat(files).containsExactlyInAnyOrder("secret.example.yaml", "runtimeclasses.yaml");
        assertThat(kustomization.get("namespace")).isEqualTo("claw4j");
    }

    @Test
    void every_config_map_secret_and_account_the_hosts_name_is_here() {
        List<HasMetadata> all = DeployManifests.load(dir);
        StatefulSet hosts = (StatefulSet) all.stream().filter(o -> o instanceof StatefulSet).findFirst().orElseThrow();
        var pod = hosts.getSpec().getTemplate().getSpec();
        List<String> secrets = new ArrayList<>();
        List<String> configMaps = new ArrayList<>();
        pod.getContainers().forEach(c -> c.getEnvFrom().forEach(e -> secrets.add(e.getSecretRef().getName())));
        pod.getVolumes().forEach(v -> {
            if (v.getSecret() != null) {
                secrets.add(v.getSecret().getSecretName());
            }
            if (v.getConfigMap() != null) {
                configMaps.add(v.getConfigMap().getName());
            }
        });
        assertThat(secrets).containsExactlyInAnyOrder("claw4j-secrets", "claw4j-web-token");
        // the Secrets are made by the operator; secret.example.yaml shows each one with every key it needs
        assertThat(DeployManifests.load(dir.resolve("secret.example.yaml"))).extracting(o -> o.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(secrets);
        assertThat(configMaps).allSatisfy(name -> assertThat(all).anyMatch(o -> o instanceof ConfigMap
                && o.getMetadata().getName().equals(name)));
        assertThat(all).anyMatch(o -> o instanceof ServiceAccount
                && o.getMetadata().getName().equals(pod.getServiceAccountName()));
        // every mount names a volume of the pod or a claim template
        List<String> volumes = new ArrayList<>(pod.getVolumes().stream().map(v -> v.getName()).toList());
        hosts.getSpec().getVolumeClaimTemplates().forEach(t -> volumes.add(t.getMetadata().getName()));
        List<io.fabric8.kubernetes.api.model.Container> containers = new ArrayList<>(pod.getContainers());
        containers.addAll(pod.getInitContainers());
        containers.forEach(c -> c.getVolumeMounts().forEach(m ->
                assertThat(volumes).as(c.getName() + " mounts " + m.getName()).contains(m.getName())));
        // each ${VAR} of the hosts' claw4j.yaml is a key of claw4j-secrets, so none is empty by mistake
        String config = ((ConfigMap) all.stream().filter(o -> o instanceof ConfigMap).findFirst().orElseThrow())
                .getData().get("claw4j.yaml");
        Secret example = (Secret) DeployManifests.load(dir.resolve("secret.example.yaml")).stream()
                .filter(o -> o.getMetadata().getName().equals("claw4j-secrets")).findFirst().orElseThrow();
        var vars = java.util.regex.Pattern.compile("\\$\\{([A-Z0-9_]+)").matcher(config).results()
                .map(m -> m.group(1)).distinct().toList();
        assertThat(vars).hasSizeGreaterThan(5);
        assertThat(example.getStringData().keySet()).containsAll(vars);
    }

    private HasMetadata create(HasMetadata o) {
        if (o instanceof GenericKubernetesResource g) {
            return client.genericKubernetesResources(context(g)).resource(g).create();
        }
        return client.resource(o).create();
    }

    private HasMetadata get(HasMetadata o) {
        if (o instanceof GenericKubernetesResource g) {
            return client.genericKubernetesResources(context(g)).inNamespace(g.getMetadata().getNamespace())
                    .withName(g.getMetadata().getName()).get();
        }
        return client.resource(o).get();
    }

    /** agent-sandbox kinds are namespaced and their plural is the kind in lower case plus "s". */
    private static ResourceDefinitionContext context(GenericKubernetesResource g) {
        String[] gv = g.getApiVersion().split("/");
        return new ResourceDefinitionContext.Builder().withGroup(gv[0]).withVersion(gv[1]).withKind(g.getKind())
                .withPlural(g.getKind().toLowerCase() + "s").withNamespaced(true).build();
    }

    private static Map<?, ?> withoutServerFields(HasMetadata o) {
        Map<?, ?> map = Serialization.unmarshal(Serialization.asJson(o), Map.class);
        Map<?, ?> metadata = (Map<?, ?>) map.get("metadata");
        for (String serverSet : List.of("uid", "resourceVersion", "creationTimestamp", "generation",
                "managedFields")) {
            metadata.remove(serverSet);
        }
        map.remove("status");
        return map;
    }
}
