package dev.claw4j.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The checks on deploy/kubernetes that matter for security: the walls it puts around sandboxes and the host. */
class DeploySecurityTest {

    private final List<HasMetadata> all = DeployManifests.load(DeployManifests.dir());

    /** Labels of a sandbox pod as the controller could make it, and of a host pod as the StatefulSet makes it. */
    private static final Map<String, String> SANDBOX_POD = Map.of("agents.x-k8s.io/sandbox-name-hash", "1a2b",
            "app.kubernetes.io/name", "claw4j", "app.kubernetes.io/component", "sandbox");
    private static final Map<String, String> UNLABELLED_POD = Map.of("run", "anything");

    @Test
    void the_namespace_denies_all_traffic_by_default() {
        NetworkPolicy deny = policy("default-deny");
        assertThat(deny.getSpec().getPodSelector().getMatchLabels()).isNullOrEmpty();
        assertThat(deny.getSpec().getPodSelector().getMatchExpressions()).isNullOrEmpty();
        assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isNullOrEmpty();
        assertThat(deny.getSpec().getEgress()).isNullOrEmpty();
    }

    @Test
    void sandbox_pods_get_no_egress_and_no_ingress_and_only_the_host_policy_allows_anything() {
        NetworkPolicy sandboxes = policy("claw4j-sandboxes-isolated");
        assertThat(sandboxes.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(sandboxes.getSpec().getEgress()).isEmpty();
        assertThat(sandboxes.getSpec().getIngress()).isEmpty();
        Map<String, String> host = hostPod().getMetadata().getLabels();
        // the isolation selects sandboxes however they are labelled, and never the host
        assertThat(selects(sandboxes.getSpec().getPodSelector(), SANDBOX_POD)).isTrue();
        assertThat(selects(sandboxes.getSpec().getPodSelector(), UNLABELLED_POD)).isTrue();
        assertThat(selects(sandboxes.getSpec().getPodSelector(), host)).isFalse();
        // policies add up: no policy that allows traffic may select a sandbox pod
        for (HasMetadata o : all) {
            if (o instanceof NetworkPolicy p && (!isEmpty(p.getSpec().getEgress()) || !isEmpty(p.getSpec().getIngress()))) {
                assertThat(selects(p.getSpec().getPodSelector(), SANDBOX_POD)).as(p.getMetadata().getName()).isFalse();
                assertThat(selects(p.getSpec().getPodSelector(), UNLABELLED_POD)).as(p.getMetadata().getName()).isFalse();
                assertThat(selects(p.getSpec().getPodSelector(), host)).as(p.getMetadata().getName()).isTrue();
            }
        }
    }

    @Test
    void the_host_may_reach_dns_the_api_server_postgresql_and_https_and_take_only_its_ports() {
        NetworkPolicy host = policy("claw4j-host");
        List<Integer> egressPorts = host.getSpec().getEgress().stream().flatMap(r -> r.getPorts().stream())
                .map(p -> p.getPort().getIntVal()).toList();
        assertThat(egressPorts).containsExactlyInAnyOrder(53, 53, 5432, 443, 6443);
        assertThat(host.getSpec().getEgress()).allSatisfy(r -> assertThat(r.getPorts()).isNotEmpty());
        List<Integer> ingressPorts = host.getSpec().getIngress().stream().flatMap(r -> r.getPorts().stream())
                .map(NetworkPolicyPort::getPort).map(p -> p.getIntVal()).toList();
        List<Integer> servicePorts = ((Service) one("Service", "claw4j")).getSpec().getPorts().stream()
                .map(p -> p.getPort()).toList();
        assertThat(ingressPorts).containsExactlyInAnyOrderElementsOf(servicePorts);
    }

    @Test
    void the_host_runs_non_root_with_a_read_only_root_and_no_privileges() {
        PodSpec pod = hostPod().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getHostPID()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getVolumes()).allSatisfy(v -> assertThat(v.getHostPath()).as(v.getName()).isNull());
        List<Container> containers = new ArrayList<>(pod.getContainers());
        if (pod.getInitContainers() != null) {
            containers.addAll(pod.getInitContainers());
        }
        for (Container c : containers) {
            var sc = c.getSecurityContext();
            assertThat(sc.getReadOnlyRootFilesystem()).as(c.getName()).isTrue();
            assertThat(sc.getAllowPrivilegeEscalation()).as(c.getName()).isFalse();
            assertThat(sc.getRunAsNonRoot()).as(c.getName()).isTrue();
            assertThat(sc.getPrivileged()).as(c.getName()).isNotEqualTo(Boolean.TRUE);
            assertThat(sc.getCapabilities().getDrop()).as(c.getName()).containsExactly("ALL");
            assertThat(sc.getCapabilities().getAdd()).as(c.getName()).isNullOrEmpty();
            Map<String, Quantity> limits = c.getResources().getLimits();
            assertThat(limits).as(c.getName()).containsKeys("cpu", "memory");
            assertThat(c.getResources().getRequests()).as(c.getName()).containsKeys("cpu", "memory");
        }
        Container host = pod.getContainers().getFirst();
        assertThat(host.getReadinessProbe()).isNotNull();
        assertThat(host.getLivenessProbe()).isNotNull();
        assertThat(host.getStartupProbe()).isNotNull();
    }

    @Test
    void two_hosts_on_postgresql_under_their_own_service_account() {
        StatefulSet d = (StatefulSet) one("StatefulSet", "claw4j");
        assertThat(d.getSpec().getReplicas()).isEqualTo(2);
        // each host its own data directory (its identity), never one shared by both
        assertThat(d.getSpec().getVolumeClaimTemplates()).extracting(c -> c.getMetadata().getName())
                .containsExactly("data");
        assertThat(d.getSpec().getVolumeClaimTemplates().getFirst().getSpec().getAccessModes())
                .containsExactly("ReadWriteOnce");
        assertThat(d.getSpec().getTemplate().getSpec().getVolumes()).extracting(v -> v.getName())
                .doesNotContain("data");
        assertThat(d.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo(RbacRules.SERVICE_ACCOUNT);
        assertThat(d.getMetadata().getNamespace()).isEqualTo(RbacRules.NAMESPACE);
        assertThat(((ServiceAccount) one("ServiceAccount", "claw4j")).getAutomountServiceAccountToken()).isFalse();
        // the Service and the pods agree, so traffic reaches the hosts
        assertThat(((Service) one("Service", "claw4j")).getSpec().getSelector())
                .isEqualTo(d.getSpec().getSelector().getMatchLabels());
        Map<String, Object> config = Serialization.unmarshal(
                ((ConfigMap) one("ConfigMap", "claw4j-config")).getData().get("claw4j.yaml"), Map.class);
        assertThat(at(config, "sandbox", "runtime")).isEqualTo("kubernetes");
        assertThat(at(config, "sandbox", "requireSecondWall")).isEqualTo(true);
        assertThat(at(config, "sandbox", "kubernetes", "namespace")).isEqualTo(RbacRules.NAMESPACE);
        assertThat(at(config, "store", "kind")).isEqualTo("postgres");
        assertThat(at(config, "admin", "bind")).isEqualTo("127.0.0.1");
        // secrets come from the environment, never written into the ConfigMap
        assertThat(at(config, "store", "password")).isEqualTo("${CLAW4J_DB_PASSWORD}");
        assertThat(at(config, "model", "apiKey")).isEqualTo("${ANTHROPIC_API_KEY}");
    }

    /** The host StatefulSet's pod template: the labels and spec every host pod gets. */
    private PodTemplateSpec hostPod() {
        return ((StatefulSet) one("StatefulSet", "claw4j")).getSpec().getTemplate();
    }

    private NetworkPolicy policy(String name) {
        return (NetworkPolicy) one("NetworkPolicy", name);
    }

    private HasMetadata one(String kind, String name) {
        return all.stream().filter(o -> o.getKind().equals(kind) && o.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("deploy/kubernetes has no " + kind + " " + name));
    }

    private static Object at(Map<String, Object> map, String... keys) {
        Object o = map;
        for (String k : keys) {
            o = o instanceof Map<?, ?> m ? m.get(k) : null;
        }
        return o;
    }

    private static boolean isEmpty(List<?> list) {
        return list == null || list.isEmpty();
    }

    /** A pod selector as the API server evaluates it (matchLabels and In / NotIn / Exists / DoesNotExist). */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchLabels() != null && !selector.getMatchLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        if (selector.getMatchExpressions() == null) {
            return true;
        }
        for (LabelSelectorRequirement r : selector.getMatchExpressions()) {
            String value = labels.get(r.getKey());
            boolean ok = switch (r.getOperator()) {
                case "In" -> value != null && r.getValues().contains(value);
                case "NotIn" -> value == null || !r.getValues().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new IllegalArgumentException("unknown selector operator " + r.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
