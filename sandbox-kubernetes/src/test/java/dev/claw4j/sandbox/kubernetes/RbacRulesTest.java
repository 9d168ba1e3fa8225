package dev.claw4j.sandbox.kubernetes;

import dev.claw4j.sandbox.kubernetes.RbacRules.Request;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** deploy/kubernetes' RBAC: what the host's ServiceAccount may do, and that RbacRules reads it as the API server. */
class RbacRulesTest {

    private static final List<String> ALL_VERBS =
            List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection");

    private static final String EXT = "/apis/extensions.agents.x-k8s.io/v1beta1/namespaces/claw4j/";
    private final RbacRules rbac = RbacRules.ofDeploy();

    @Test
    void no_rule_in_deploy_kubernetes_uses_a_wildcard() {
        List<PolicyRule> rules = new ArrayList<>();
        for (HasMetadata o : DeployManifests.load(DeployManifests.dir())) {
            if (o instanceof Role r) {
                rules.addAll(r.getRules());
            } else if (o instanceof ClusterRole c) {
                rules.addAll(c.getRules());
            }
        }
        assertThat(rules).hasSizeGreaterThanOrEqualTo(8);
        for (PolicyRule rule : rules) {
            Stream.of(rule.getVerbs(), rule.getApiGroups(), rule.getResources())
                    .forEach(list -> assertThat(list).as(rule.toString()).isNotEmpty()
                            .allSatisfy(v -> assertThat(v).doesNotContain("*")));
            assertThat(rule.getNonResourceURLs()).as(rule.toString()).isNullOrEmpty();
        }
    }

    /** Exactly the calls KubernetesSandboxRuntime makes: each resource's verbs, no more, no fewer. */
    @Test
    void the_runtime_gets_exactly_its_verbs_in_its_namespace() {
        Map<String, List<String>> expected = new LinkedHashMap<>();
        expected.put("extensions.agents.x-k8s.io sandboxtemplates", List.of("get", "create", "update"));
        expected.put("extensions.agents.x-k8s.io sandboxwarmpools", List.of("get", "create", "update"));
        expected.put("extensions.agents.x-k8s.io sandboxclaims", List.of("get", "list", "create", "delete"));
        expected.put("agents.x-k8s.io sandboxes", List.of("get", "list", "create", "delete"));
        expected.put(" persistentvolumeclaims", List.of("get", "create"));
        expected.put("networking.k8s.io networkpolicies", List.of("get", "create", "update"));
        expected.put(" pods", List.of("get", "list", "watch"));
        // exec: "get" is WebSocket before Kubernetes 1.35, "create" is SPDY and 1.35 on
        expected.put(" pods/exec", List.of("get", "create"));
        for (var e : expected.entrySet()) {
            String[] gr = e.getKey().split(" ", 2);
            for (String verb : ALL_VERBS) {
                assertThat(rbac.allows(verb, gr[0], gr[1], "claw4j")).as(verb + " " + e.getKey())
                        .isEqualTo(e.getValue().contains(verb));
            }
        }
        assertThat(rbac.allows("get", "", "pods/attach", "claw4j")).as("the runtime never attaches").isFalse();
        assertThat(rbac.allows("create", "", "pods/attach", "claw4j")).isFalse();
        assertThat(rbac.allows("get", "node.k8s.io", "runtimeclasses", null)).isTrue();
        assertThat(rbac.allows("list", "node.k8s.io", "runtimeclasses", null)).isTrue();
    }

    @Test
    void nothing_beyond_what_the_runtime_calls() {
        // the same reader says yes above: these are refusals by the rules, not a reader that never allows
        assertThat(rbac.allows("get", "", "pods", "claw4j")).isTrue();
        List<String> refused = List.of(
                "create  pods", "delete  pods", "update  pods", "patch  pods",     // the controller owns the pods
                "get  secrets", "list  secrets", "create  secrets",                 // the host's own keys: never
                "list  configmaps", "create  serviceaccounts", "create  pods/portforward", "get  pods/log",
                "update agents.x-k8s.io sandboxes", "patch agents.x-k8s.io sandboxes",
                "delete  persistentvolumeclaims", "update  persistentvolumeclaims",  // a group's folder: never lost
                "delete extensions.agents.x-k8s.io sandboxtemplates",
                "create rbac.authorization.k8s.io roles", "create rbac.authorization.k8s.io rolebindings",
                "create apps deployments", "create batch jobs");
        for (String line : refused) {
            String[] p = line.split(" ", -1);
            String verb = p[0], group = p[1], resource = p[2];
            assertThat(rbac.allows(verb, group, resource, "claw4j")).as(line).isFalse();
        }
    }

    @Test
    void the_namespaced_role_holds_in_its_namespace_only() {
        assertThat(rbac.allows("create", "extensions.agents.x-k8s.io", "sandboxclaims", "claw4j")).isTrue();
        assertThat(rbac.allows("create", "extensions.agents.x-k8s.io", "sandboxclaims", "default")).isFalse();
        assertThat(rbac.allows("get", "", "pods/exec", "kube-system")).isFalse();
        // the cluster-wide grant is RuntimeClasses, read only
        assertThat(rbac.allows("create", "node.k8s.io", "runtimeclasses", null)).isFalse();
        assertThat(rbac.allows("list", "", "namespaces", null)).isFalse();
        assertThat(rbac.describe()).hasSize(8).anySatisfy(d -> assertThat(d).startsWith("cluster-wide via "
                + "ClusterRoleBinding claw4j-runtimeclass-reader"));
    }

    @Test
    void recorded_http_calls_map_to_the_verbs_the_api_server_checks() {
        assertThat(Request.of("GET", EXT + "sandboxclaims?labelSelector=claw4j.dev%2Finstall%3Dabc"))
                .isEqualTo(new Request("list", "extensions.agents.x-k8s.io", "sandboxclaims", "", "claw4j", null, null));
        assertThat(Request.of("GET", EXT + "sandboxclaims?fieldSelector=metadata.name%3Dg1&watch=true").verb())
                .isEqualTo("watch");
        assertThat(Request.of("GET", EXT + "sandboxclaims/claw4j-g1")).isEqualTo(
                new Request("get", "extensions.agents.x-k8s.io", "sandboxclaims", "", "claw4j", "claw4j-g1", null));
        assertThat(Request.of("POST", EXT + "sandboxclaims").verb()).isEqualTo("create");
        assertThat(Request.of("PUT", EXT + "sandboxtemplates/t").verb()).isEqualTo("update");
        assertThat(Request.of("PATCH", EXT + "sandboxtemplates/t").verb()).isEqualTo("patch");
        assertThat(Request.of("DELETE", EXT + "sandboxclaims/claw4j-g1").verb()).isEqualTo("delete");
        assertThat(Request.of("DELETE", EXT + "sandboxclaims").verb()).isEqualTo("deletecollection");
        assertThat(Request.of("GET", "/api/v1/namespaces/claw4j/pods/p1/attach?container=agent&stdin=true&stdout=true"))
                .isEqualTo(new Request("get", "", "pods", "attach", "claw4j", "p1", null));
        assertThat(Request.of("POST", "/api/v1/namespaces/claw4j/pods/p1/exec?command=tar").toString())
                .isEqualTo("create core/pods/exec p1 in claw4j");
        assertThat(Request.of("GET", "/apis/node.k8s.io/v1/runtimeclasses/gvisor"))
                .isEqualTo(new Request("get", "node.k8s.io", "runtimeclasses", "", null, "gvisor", null));
        assertThat(Request.of("GET", "/api/v1/namespaces/claw4j"))
                .isEqualTo(new Request("get", "", "namespaces", "", "claw4j", "claw4j", null));
        assertThat(Request.of("GET", "/version").nonResourcePath()).isEqualTo("/version");
        assertThat(Request.of("GET", "/apis/extensions.agents.x-k8s.io/v1beta1").nonResourcePath()).isNotNull();
        assertThatThrownBy(() -> Request.of("GET", "/api/v1/namespaces/claw4j/pods/p1/exec/extra/more"))
                .hasMessageContaining("not a Kubernetes resource path");
    }

    @Test
    void recorded_calls_are_checked_one_by_one_and_the_refused_ones_named() {
        List<Request> calls = List.of(
                Request.of("POST", EXT + "sandboxtemplates"),
                Request.of("POST", EXT + "sandboxclaims"),
                Request.of("GET", EXT + "sandboxclaims/claw4j-g1"),
                Request.of("GET", "/apis/agents.x-k8s.io/v1beta1/namespaces/claw4j/sandboxes/claw4j-g1"),
                Request.of("GET", "/api/v1/namespaces/claw4j/pods/claw4j-g1/exec?command=java&stdin=true"),
                Request.of("GET", "/version"),
                Request.of("DELETE", "/api/v1/namespaces/claw4j/pods/claw4j-g1"),
                Request.of("GET", "/api/v1/namespaces/claw4j/secrets/claw4j-secrets"));
        assertThat(rbac.refused(calls)).containsExactly(
                "delete core/pods claw4j-g1 in claw4j", "get core/secrets claw4j-secrets in claw4j");
        assertThat(rbac.allows("GET", EXT + "sandboxclaims?labelSelector=a%3Db")).isTrue();
        assertThat(rbac.allows("DELETE", EXT + "sandboxclaims")).isFalse();
    }

    @Test
    void calls_fabric8_really_makes_are_read_off_the_mock_server_and_checked() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        try (KubernetesClient client = server.createClient()) {
            ResourceDefinitionContext claims = new ResourceDefinitionContext.Builder()
                    .withGroup("extensions.agents.x-k8s.io").withVersion("v1beta1").withKind("SandboxClaim")
                    .withPlural("sandboxclaims").withNamespaced(true).build();
            GenericKubernetesResource claim = new GenericKubernetesResourceBuilder()
                    .withApiVersion("extensions.agents.x-k8s.io/v1beta1").withKind("SandboxClaim")
                    .withNewMetadata().withName("claw4j-g1").withNamespace("claw4j")
                    .addToLabels("claw4j.dev/install", "abc").endMetadata()
                    .addToAdditionalProperties("spec", Map.of("sandboxTemplateRef", Map.of("name", "claw4j-agent")))
                    .build();
            var inNs = client.genericKubernetesResources(claims).inNamespace("claw4j");
            inNs.resource(claim).create();
            assertThat(inNs.withLabel("claw4j.dev/install", "abc").list().getItems()).hasSize(1);
            assertThat(inNs.withName("claw4j-g1").get()).isNotNull();
            try (Watch w = client.pods().inNamespace("claw4j").withName("claw4j-g1").watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Pod resource) {}

                @Override
                public void onClose(WatcherException cause) {}
            })) {
                assertThat(w).isNotNull();
            }
            client.pods().inNamespace("claw4j").withName("claw4j-g1").get();
            client.resources(RuntimeClass.class).withName("gvisor").get();
            inNs.withName("claw4j-g1").delete();
            client.secrets().inNamespace("claw4j").withName("claw4j-secrets").get();

            List<Request> calls = RbacRules.recorded(server);
            assertThat(calls).extracting(Request::verb)
                    .contains("create", "list", "watch", "get", "delete");
            // the runtime-like calls pass; the one call outside the rules is named
            assertThat(rbac.refused(calls)).containsExactly("get core/secrets claw4j-secrets in claw4j");
        } finally {
            server.destroy();
        }
    }

    @Test
    void a_binding_to_another_account_or_a_missing_role_gives_nothing() {
        RbacRules other = RbacRules.of(DeployManifests.dir(), "claw4j", "default");
        assertThat(other.allows("create", "extensions.agents.x-k8s.io", "sandboxclaims", "claw4j")).isFalse();
        assertThat(other.describe()).isEmpty();
    }
}
