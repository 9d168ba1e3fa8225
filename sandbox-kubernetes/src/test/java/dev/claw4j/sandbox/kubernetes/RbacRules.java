package dev.claw4j.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The RBAC rules in {@code deploy/kubernetes}, applied as the API server applies them to one ServiceAccount:
 * only Roles and ClusterRoles bound to it count, a Role (or a ClusterRole bound by a RoleBinding) only in its
 * binding's namespace, a ClusterRole bound by a ClusterRoleBinding everywhere.
 *
 * <p>The runtime's tests check the calls they recorded on the mock server against it:
 * <pre>{@code
 * RbacRules rbac = RbacRules.ofDeploy();
 * // ... the runtime's calls against the mock server ...
 * assertThat(rbac.refused(RbacRules.recorded(server))).isEmpty();   // names each refused call
 * }</pre>
 */
public final class RbacRules {

    /** The ServiceAccount deploy/kubernetes runs the host as. */
    public static final String NAMESPACE = "claw4j";
    public static final String SERVICE_ACCOUNT = "claw4j";

    /** Rules that hold in {@code namespace}; null: in every namespace and at cluster scope. */
    private record Grant(String namespace, PolicyRule rule, String from) {}

    private final List<Grant> grants;

    private RbacRules(List<Grant> grants) {
        this.grants = List.copyOf(grants);
    }

    /** The rules deploy/kubernetes gives the host's ServiceAccount (claw4j/claw4j). */
    public static RbacRules ofDeploy() {
        return of(DeployManifests.load(DeployManifests.dir()), NAMESPACE, SERVICE_ACCOUNT);
    }

    /** The rules in {@code dir}'s manifests (every *.yaml) for the ServiceAccount {@code namespace/name}. */
    public static RbacRules of(Path dir, String namespace, String name) {
        return of(DeployManifests.load(dir), namespace, name);
    }

    /** The rules among {@code objects} for the ServiceAccount {@code namespace/name}. */
    public static RbacRules of(Collection<? extends HasMetadata> objects, String namespace, String name) {
        List<Grant> grants = new ArrayList<>();
        for (HasMetadata o : objects) {
            if (o instanceof RoleBinding b && boundTo(b.getSubjects(), b.getMetadata().getNamespace(), namespace, name)) {
                String where = b.getMetadata().getNamespace();
                rulesOf(objects, b.getRoleRef(), where).forEach(r -> grants.add(new Grant(where, r,
                        "RoleBinding " + where + "/" + b.getMetadata().getName())));
            } else if (o instanceof ClusterRoleBinding b && boundTo(b.getSubjects(), null, namespace, name)) {
                rulesOf(objects, b.getRoleRef(), null).forEach(r -> grants.add(new Grant(null, r,
                        "ClusterRoleBinding " + b.getMetadata().getName())));
            }
        }
        return new RbacRules(grants);
    }

    private static boolean boundTo(List<Subject> subjects, String bindingNamespace, String namespace, String name) {
        return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && name.equals(s.getName())
                && namespace.equals(s.getNamespace() != null ? s.getNamespace() : bindingNamespace));
    }

    /** A RoleBinding may name a Role of its namespace or a ClusterRole; a ClusterRoleBinding only a ClusterRole. */
    private static List<PolicyRule> rulesOf(Collection<? extends HasMetadata> objects, RoleRef ref, String namespace) {
        for (HasMetadata o : objects) {
            if (!o.getMetadata().getName().equals(ref.getName())) {
                continue;
            }
            if ("ClusterRole".equals(ref.getKind()) && o instanceof ClusterRole c) {
                return c.getRules() == null ? List.of() : c.getRules();
            }
            if ("Role".equals(ref.getKind()) && o instanceof Role r && namespace != null
                    && namespace.equals(r.getMetadata().getNamespace())) {
                return r.getRules() == null ? List.of() : r.getRules();
            }
        }
        throw new IllegalStateException("a binding names " + ref.getKind() + " " + ref.getName()
                + (namespace == null ? "" : " in " + namespace) + ", which is not in the manifests: add it or fix the roleRef");
    }

    /**
     * Every request {@code server} received since the last call (taken off its queue), as RBAC sees them.
     * Call it once the client is done: a request still on its way is not there yet.
     */
    public static List<Request> recorded(KubernetesMockServer server) {
        List<Request> requests = new ArrayList<>();
        try {
            for (RecordedRequest r; (r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null; ) {
                requests.add(Request.of(r.getMethod(), r.getPath()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the mock server's requests", e);
        }
        return requests;
    }

    /** Does an HTTP request to the API server ({@code pathAndQuery} as the mock server recorded it) pass? */
    public boolean allows(String method, String pathAndQuery) {
        return allows(Request.of(method, pathAndQuery));
    }

    /** Is {@code verb} allowed on {@code resource} ("pods" or "pods/attach") of {@code group} in {@code namespace}? */
    public boolean allows(String verb, String group, String resource, String namespace) {
        String[] parts = resource.split("/", 2);
        return allows(new Request(verb, group, parts[0], parts.length > 1 ? parts[1] : "", namespace, null, null));
    }

    public boolean allows(Request request) {
        if (request.nonResourcePath() != null) {
            // discovery and /version: the default ClusterRoles system:discovery and system:public-info-viewer
            // give them to every authenticated user, so the deploy needs no rule for them
            return true;
        }
        return grants.stream().anyMatch(g -> (g.namespace() == null || g.namespace().equals(request.namespace()))
                && matches(g.rule(), request));
    }

    /** The requests of {@code requests} that would be refused, as "METHOD path -> verb group/resource in ns". */
    public List<String> refused(Collection<Request> requests) {
        return requests.stream().filter(r -> !allows(r)).map(Request::toString).distinct().toList();
    }

    /** Every rule the ServiceAccount holds, with where it holds and which binding gives it. */
    public List<String> describe() {
        return grants.stream().map(g -> (g.namespace() == null ? "cluster-wide" : "in " + g.namespace()) + " via "
                + g.from() + ": " + g.rule().getVerbs() + " " + g.rule().getApiGroups() + " " + g.rule().getResources())
                .toList();
    }

    /** The API server's matching: "*" matches all, "*\/sub" a subresource of anything, resourceNames narrow. */
    private static boolean matches(PolicyRule rule, Request r) {
        if (rule.getNonResourceURLs() != null && !rule.getNonResourceURLs().isEmpty()
                && (rule.getResources() == null || rule.getResources().isEmpty())) {
            return false;
        }
        boolean verb = has(rule.getVerbs(), r.verb()) || has(rule.getVerbs(), "*");
        boolean group = has(rule.getApiGroups(), r.group()) || has(rule.getApiGroups(), "*");
        String full = r.subresource().isEmpty() ? r.resource() : r.resource() + "/" + r.subresource();
        boolean resource = has(rule.getResources(), full) || has(rule.getResources(), "*")
                || (!r.subresource().isEmpty() && has(rule.getResources(), "*/" + r.subresource()));
        boolean name = rule.getResourceNames() == null || rule.getResourceNames().isEmpty()
                || (r.name() != null && rule.getResourceNames().contains(r.name()));
        return verb && group && resource && name;
    }

    private static boolean has(List<String> list, String value) {
        return list != null && list.contains(value);
    }

    /**
     * One API request as RBAC sees it. {@code nonResourcePath} is set (and the rest empty) for discovery paths
     * and /version; {@code namespace} is null at cluster scope; {@code name} is null for a collection.
     */
    public record Request(String verb, String group, String resource, String subresource, String namespace,
                          String name, String nonResourcePath) {

        public Request {
            Objects.requireNonNull(verb, "verb");
            group = group == null ? "" : group;
            subresource = subresource == null ? "" : subresource;
        }

        /**
         * The request the API server sees for {@code method} on {@code pathAndQuery}, e.g.
         * {@code GET /apis/extensions.agents.x-k8s.io/v1beta1/namespaces/claw4j/sandboxclaims?watch=true} is
         * "watch sandboxclaims". A GET on a subresource (attach, exec over WebSocket) is "get", as the API server
         * checks it before Kubernetes 1.35; deploy/kubernetes allows "create" as well for later clusters.
         */
        public static Request of(String method, String pathAndQuery) {
            String path = pathAndQuery;
            String query = "";
            int q = pathAndQuery.indexOf('?');
            if (q >= 0) {
                path = pathAndQuery.substring(0, q);
                query = pathAndQuery.substring(q + 1);
            }
            List<String> seg = Arrays.stream(path.split("/")).filter(s -> !s.isEmpty())
                    .map(s -> URLDecoder.decode(s, StandardCharsets.UTF_8)).toList();
            String group;
            List<String> rest;
            if (seg.size() >= 3 && seg.get(0).equals("api")) {
                group = "";
                rest = seg.subList(2, seg.size());
            } else if (seg.size() >= 4 && seg.get(0).equals("apis")) {
                group = seg.get(1);
                rest = seg.subList(3, seg.size());
            } else {
                return new Request(method.toLowerCase(), "", "", "", null, null, path);
            }
            String namespace = null;
            if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
                namespace = rest.get(1);
                rest = rest.subList(2, rest.size());
            } else if (rest.size() == 2 && rest.get(0).equals("namespaces")) {
                namespace = rest.get(1); // the namespace object itself is in its own namespace, as RBAC sees it
            }
            if (rest.isEmpty() || rest.size() > 3) {
                throw new IllegalArgumentException("not a Kubernetes resource path: " + pathAndQuery
                        + " (expected /api/v1/[namespaces/NS/]RESOURCE[/NAME[/SUB]] or /apis/GROUP/VERSION/...)");
            }
            String resource = rest.get(0);
            String name = rest.size() >= 2 ? rest.get(1) : null;
            String sub = rest.size() == 3 ? rest.get(2) : "";
            boolean watch = Arrays.asList(query.split("&")).contains("watch=true")
                    || Arrays.asList(query.split("&")).contains("watch=1");
            String verb = switch (method.toUpperCase()) {
                case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
                case "POST" -> "create";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> name == null ? "deletecollection" : "delete";
                default -> throw new IllegalArgumentException("the API server has no verb for HTTP " + method
                        + " (" + pathAndQuery + ")");
            };
            return new Request(verb, group, resource, sub, namespace, name, null);
        }

        @Override
        public String toString() {
            if (nonResourcePath != null) {
                return verb + " " + nonResourcePath;
            }
            return verb + " " + (group.isEmpty() ? "core" : group) + "/" + resource
                    + (subresource.isEmpty() ? "" : "/" + subresource)
                    + (name == null ? "" : " " + name) + (namespace == null ? " (cluster scope)" : " in " + namespace);
        }
    }
}
