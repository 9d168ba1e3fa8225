package dev.claw4j.sandbox.kubernetes;

import dev.claw4j.core.sandbox.ExecResult;
import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxException;
import dev.claw4j.core.sandbox.SandboxExit;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxRuntime;
import dev.claw4j.core.sandbox.SandboxSpec;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.ExecWatch;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SandboxRuntime} on a Kubernetes cluster with the kubernetes-sigs/agent-sandbox controller: one
 * SandboxTemplate (runtime class and hardening) and SandboxWarmPool per install, a NetworkPolicy that allows its
 * sandbox pods no traffic, and a SandboxClaim per running group sandbox. The agent runs as an exec in the claimed
 * pod and speaks the same JSON lines as over {@code docker attach}.
 *
 * <p>What the pod spec cannot say: a pid limit. Kubernetes sets it per node (the kubelet's {@code podPidsLimit}),
 * not per pod; the README asks the operator to set it.
 */
public final class KubernetesSandboxRuntime implements SandboxRuntime {
    private static final Logger log = LoggerFactory.getLogger(KubernetesSandboxRuntime.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final SandboxObjects objects;
    private final Isolation isolation;
    private final List<String> agentCommand;
    /** Claims of sandboxes this runtime started and has not stopped: never orphans. */
    private final Set<String> live = ConcurrentHashMap.newKeySet();

    /**
     * Reads the runtime class (refusing one without a second wall when asked to), then makes or updates the install's
     * template, warm pool and network policy. {@code limits} are the install's sandbox limits: the template carries
     * them, so every group gets the same.
     */
    public KubernetesSandboxRuntime(KubernetesClient client, KubernetesSettings settings, SandboxLimits limits) {
        this(client, settings, limits, agentCommand(limits));
    }

    /** The same with another agent command (a test runs the agent from its jar). */
    KubernetesSandboxRuntime(KubernetesClient client, KubernetesSettings settings, SandboxLimits limits,
                             List<String> agentCommand) {
        this.client = client;
        this.settings = settings;
        this.agentCommand = List.copyOf(agentCommand);
        this.objects = new SandboxObjects(settings, client.getKubernetesSerialization());
        this.isolation = RuntimeClasses.check(RuntimeClasses.isolationOf(client, settings.runtimeClass()),
                settings.runtimeClass(), settings.requireSecondWall());
        try {
            client.genericKubernetesResources(SandboxObjects.TEMPLATES).inNamespace(settings.namespace())
                    .resource(objects.template(limits)).createOr(NonDeletingOperation::update);
            client.genericKubernetesResources(SandboxObjects.WARM_POOLS).inNamespace(settings.namespace())
                    .resource(objects.warmPool()).createOr(NonDeletingOperation::update);
            client.network().v1().networkPolicies().inNamespace(settings.namespace())
                    .resource(objects.networkPolicy()).createOr(NonDeletingOperation::update);
        } catch (KubernetesClientException e) {
            throw new SandboxException("could not make the sandbox template " + settings.template() + " in namespace "
                    + settings.namespace() + " (HTTP " + e.getCode() + "): " + e.getMessage() + "; check that the "
                    + "agent-sandbox CRDs and controller are installed and that the host's Role allows it "
                    + "(deploy/kubernetes/rbac.yaml)", e);
        }
        log.info("kubernetes sandboxes: namespace {}, template {}, runtime class {} ({}), warm pool {}",
                settings.namespace(), settings.template(), settings.runtimeClass(), isolation.describe(),
                settings.warmPool());
    }

    /** The agent runner's command; the JVM is told the sandbox's memory since gVisor hides the cgroup. */
    static List<String> agentCommand(SandboxLimits limits) {
        return List.of("/opt/claw4j/jre/bin/java", "-XX:MaxRAM=" + limits.memoryBytes(), "-XX:MaxRAMPercentage=40",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:-UsePerfData", "-Xss512k",
                "-jar", "/opt/claw4j/agent.jar");
    }

    @Override
    public Isolation isolation() {
        return isolation;
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        String claim = claimAndWait(spec);
        try {
            return new PodSandbox(client, settings.namespace(), podOf(claim), claim, spec.groupId(), agentCommand,
                    () -> deleteClaim(claim));
        } catch (RuntimeException e) {
            deleteClaim(claim);
            throw e instanceof SandboxException se ? se : new SandboxException("could not start the agent in the "
                    + "sandbox of group " + spec.groupId() + " (claim " + claim + "): " + e.getMessage()
                    + "; run ./claw4j doctor", e);
        }
    }

    @Override
    public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
        String claim = claimAndWait(spec);
        try (ExecWatch watch = client.pods().inNamespace(settings.namespace()).withName(podOf(claim))
                .inContainer(SandboxObjects.CONTAINER).redirectingOutput().redirectingError()
                .exec(command.toArray(String[]::new))) {
            var out = new Capped(watch.getOutput(), maxOutputBytes);
            var stderr = new Capped(watch.getError(), maxOutputBytes);
            Thread stdout = Thread.ofVirtual().start(out);
            Thread errors = Thread.ofVirtual().start(stderr);
            boolean timedOut = false;
            int code;
            try {
                code = watch.exitCode().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                timedOut = true;
                code = -1;
            }
            watch.close();
            stdout.join(5_000);
            errors.join(5_000);
            return new ExecResult(new SandboxExit(code, false), out.text(), stderr.text(), timedOut,
                    out.truncated || stderr.truncated);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while running a command in group " + spec.groupId());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new SandboxException("a command in the sandbox of group " + spec.groupId() + " failed: "
                    + e.getCause().getMessage(), e);
        } finally {
            deleteClaim(claim);
        }
    }

    /** Ensures the group's volume claim, claims a sandbox for it, and waits until the claim is Ready. */
    private String claimAndWait(SandboxSpec spec) {
        String groupId = spec.groupId();
        String claim = SandboxObjects.claimName(groupId, randomSuffix());
        try {
            var pvcs = client.persistentVolumeClaims().inNamespace(settings.namespace());
            if (pvcs.withName(SandboxObjects.folderClaimName(groupId)).get() == null) {
                pvcs.resource(objects.folderClaim(groupId)).create();
            }
            live.add(claim);
            client.genericKubernetesResources(SandboxObjects.CLAIMS).inNamespace(settings.namespace())
                    .resource(objects.claim(claim, groupId)).create();
        } catch (KubernetesClientException e) {
            live.remove(claim);
            throw new SandboxException("could not claim a sandbox for group " + groupId + " in namespace "
                    + settings.namespace() + " (HTTP " + e.getCode() + "): " + e.getMessage()
                    + "; check the host's Role (deploy/kubernetes/rbac.yaml) and the agent-sandbox CRDs", e);
        }
        log.info("[{}] claimed sandbox {} (template {})", groupId, claim, settings.template());
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        while (true) {
            GenericKubernetesResource current = claims().withName(claim).get();
            if (current == null) {
                live.remove(claim);
                throw new SandboxException("the sandbox claim " + claim + " of group " + groupId + " was deleted "
                        + "while it was starting; see `kubectl -n " + settings.namespace() + " get events`");
            }
            if (ready(current)) {
                return claim;
            }
            if (System.nanoTime() > deadline) {
                deleteClaim(claim);
                throw new SandboxException("the sandbox claim " + claim + " of group " + groupId + " in namespace "
                        + settings.namespace() + " was not Ready after " + settings.readyTimeout().toSeconds()
                        + " s and was deleted; check `kubectl -n " + settings.namespace() + " describe sandboxclaim "
                        + claim + "`: that the agent-sandbox controller runs, that a node offers the RuntimeClass "
                        + settings.runtimeClass() + ", that the image " + settings.image() + " can be pulled, and "
                        + "that the namespace has room for " + "its limits");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                deleteClaim(claim);
                throw new SandboxException("interrupted while waiting for the sandbox of group " + groupId);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static boolean ready(GenericKubernetesResource claim) {
        if (!(claim.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) {
            return false;
        }
        if (!(status.get("conditions") instanceof List<?> conditions)) {
            return false;
        }
        return conditions.stream().anyMatch(c -> c instanceof Map<?, ?> m && "Ready".equals(m.get("type"))
                && "True".equals(m.get("status")));
    }

    /** The pod behind a Ready claim: its Sandbox's (named by the claim's status), by annotation or by its name. */
    private String podOf(String claim) {
        GenericKubernetesResource current = claims().withName(claim).get();
        String sandbox = null;
        if (current != null && current.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && status.get("sandbox") instanceof Map<?, ?> s && s.get("name") instanceof String name) {
            sandbox = name;
        }
        if (sandbox == null && current != null && current.getMetadata().getAnnotations() != null) {
            sandbox = current.getMetadata().getAnnotations().get(SandboxObjects.SANDBOX_NAME_ANNOTATION);
        }
        if (sandbox == null) {
            throw new SandboxException("the sandbox claim " + claim + " is Ready but names no Sandbox in its status; "
                    + "check the agent-sandbox controller's version (claw4j reads status.sandbox.name)");
        }
        GenericKubernetesResource box = client.genericKubernetesResources(SandboxObjects.SANDBOXES)
                .inNamespace(settings.namespace()).withName(sandbox).get();
        if (box != null && box.getMetadata().getAnnotations() != null
                && box.getMetadata().getAnnotations().get(SandboxObjects.POD_NAME_ANNOTATION) != null) {
            return box.getMetadata().getAnnotations().get(SandboxObjects.POD_NAME_ANNOTATION);
        }
        return sandbox;
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> claims() {
        return client.genericKubernetesResources(SandboxObjects.CLAIMS).inNamespace(settings.namespace());
    }

    private void deleteClaim(String claim) {
        live.remove(claim);
        try {
            claims().withName(claim).delete();
        } catch (KubernetesClientException e) {
            log.warn("could not delete the sandbox claim {} in namespace {}: {}; delete it with kubectl", claim,
                    settings.namespace(), e.getMessage());
        }
    }

    /** Deletes this install's claims that no sandbox of this runtime holds; the controller removes their pods. */
    @Override
    public int removeOrphans() {
        int removed = 0;
        for (GenericKubernetesResource c : claims().withLabel(SandboxObjects.INSTALL_LABEL, settings.installId())
                .list().getItems()) {
            String name = c.getMetadata().getName();
            if (!live.contains(name)) {
                log.info("[{}] removing orphan sandbox claim {}", c.getMetadata().getLabels()
                        .get(SandboxObjects.GROUP_LABEL), name);
                deleteClaim(name);
                removed++;
            }
        }
        return removed;
    }

    @Override
    public void close() {
        client.close();
    }

    private static String randomSuffix() {
        byte[] random = new byte[4];
        ThreadLocalRandom.current().nextBytes(random);
        return HexFormat.of().formatHex(random);
    }

    /** Reads a stream to its end, keeping its first {@code cap} bytes. */
    private static final class Capped implements Runnable {
        private final InputStream in;
        private final int cap;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private volatile boolean truncated;

        Capped(InputStream in, int cap) {
            this.in = in;
            this.cap = cap;
        }

        @Override
        public void run() {
            byte[] buffer = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    synchronized (this) {
                        int room = cap - bytes.size();
                        if (n > room) {
                            truncated = true;
                        }
                        bytes.write(buffer, 0, Math.max(0, Math.min(room, n)));
                    }
                }
            } catch (java.io.IOException e) {
                // the stream closed (a timeout or the end of the exec): what came is kept
            }
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }
}
