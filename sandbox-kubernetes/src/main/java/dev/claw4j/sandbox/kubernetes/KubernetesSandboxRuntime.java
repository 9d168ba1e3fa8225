package dev.claw4j.sandbox.kubernetes;

import dev.claw4j.core.sandbox.AgentJvm;
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
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
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
 * {@link SandboxRuntime} on a Kubernetes cluster with the kubernetes-sigs/agent-sandbox controller: a NetworkPolicy
 * that allows this install's sandbox pods no traffic, and per running group sandbox a {@code Sandbox} of the group's
 * own whose folder is the group's volume claim (it outlives the pod). With a warm pool ({@code warmPool > 0}) the
 * install also has a SandboxTemplate and a SandboxWarmPool and each sandbox is a SandboxClaim on it instead: faster,
 * but pooled pods serve any group, so there the folder lives as long as the sandbox. The agent runs as an exec in
 * the pod and speaks the same JSON lines as over {@code docker attach}.
 *
 * <p>What the pod spec cannot say: a pid limit. Kubernetes sets it per node (the kubelet's {@code podPidsLimit}),
 * not per pod; the agent runs under {@code prlimit --nproc} and docs/kubernetes.md asks the operator to set it.
 */
public final class KubernetesSandboxRuntime implements SandboxRuntime {
    private static final Logger log = LoggerFactory.getLogger(KubernetesSandboxRuntime.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final SandboxObjects objects;
    private final Isolation isolation;
    private final List<String> agentCommand;
    private final SandboxLimits limits;
    /** Sandboxes and claims this runtime made and has not deleted: never orphans. */
    private final Set<String> live = ConcurrentHashMap.newKeySet();

    /**
     * Reads the runtime class (refusing one without a second wall when asked to), then makes or updates the install's
     * template, warm pool and network policy. {@code limits} are the install's sandbox limits: the template carries
     * them, so every group gets the same.
     */
    public KubernetesSandboxRuntime(KubernetesClient client, KubernetesSettings settings, SandboxLimits limits) {
        this(client, settings, limits, null);
    }

    /** The same with another agent command (a test runs the agent from its jar); null for the agent image's. */
    KubernetesSandboxRuntime(KubernetesClient client, KubernetesSettings settings, SandboxLimits limits,
                             List<String> agentCommand) {
        this.client = client;
        this.settings = settings;
        this.limits = limits;
        this.objects = new SandboxObjects(settings, client.getKubernetesSerialization());
        this.isolation = RuntimeClasses.check(RuntimeClasses.isolationOf(client, settings.runtimeClass()),
                settings.runtimeClass(), settings.requireSecondWall());
        this.agentCommand = agentCommand == null ? agentCommand(limits, isolation.hasSecondWall())
                : List.copyOf(agentCommand);
        try {
            if (settings.warmPool() > 0) {
                createOrUpdate(() -> resources(SandboxObjects.TEMPLATES).resource(objects.template(limits))
                        .createOr(NonDeletingOperation::update));
                createOrUpdate(() -> resources(SandboxObjects.WARM_POOLS).resource(objects.warmPool())
                        .createOr(NonDeletingOperation::update));
            }
            createOrUpdate(() -> client.network().v1().networkPolicies().inNamespace(settings.namespace())
                    .resource(objects.networkPolicy()).createOr(NonDeletingOperation::update));
        } catch (KubernetesClientException e) {
            throw new SandboxException("could not make the sandbox template " + objects.templateName() + " in namespace "
                    + settings.namespace() + " (HTTP " + e.getCode() + "): " + e.getMessage() + "; check that the "
                    + "agent-sandbox CRDs and controller are installed and that the host's Role allows it "
                    + "(deploy/kubernetes/rbac.yaml)", e);
        }
        log.info("kubernetes sandboxes: namespace {}, template {}, runtime class {} ({}), warm pool {}",
                settings.namespace(), objects.templateName(), settings.runtimeClass(), isolation.describe(),
                settings.warmPool());
        if (settings.warmPool() > 0) {
            log.warn("kubernetes sandboxes: warmPool {} > 0: pooled pods serve any group, so a group's folder lives "
                    + "only as long as its sandbox; set sandbox.kubernetes.warmPool: 0 to keep each group's folder on "
                    + "its own volume claim", settings.warmPool());
        }
    }

    /**
     * Makes or replaces one of the install's objects. The names are the install's own, so only a second host wrongly
     * sharing this install id (its data directory) writes them too: its update between our read and our write is a
     * 409 Conflict, and writing again from a fresh read is right, as both write the same object.
     */
    private static void createOrUpdate(Runnable write) {
        for (int attempt = 1; ; attempt++) {
            try {
                write.run();
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /**
     * The agent runner's command; the JVM is told the sandbox's memory since gVisor hides the cgroup. A pod has no
     * pid limit of its own (the kubelet's {@code podPidsLimit} is per node), so where the pod has a kernel of its own
     * ({@code ownKernel}: gVisor's, Kata's guest) the agent and everything it starts run under {@code prlimit --nproc}
     * (util-linux, in the agent image) and a fork bomb fails at the sandbox's pid limit. On a plain container the
     * limit would count every uid-1000 process of the node, the other sandboxes' among them, so it is left to
     * {@code podPidsLimit} there (docs/kubernetes.md).
     */
    static List<String> agentCommand(SandboxLimits limits, boolean ownKernel) {
        List<String> java = AgentJvm.command(limits);
        if (!ownKernel) {
            return java;
        }
        var command = new java.util.ArrayList<>(List.of("prlimit", "--nproc=" + limits.pids() + ":" + limits.pids(),
                "--"));
        command.addAll(java);
        return List.copyOf(command);
    }

    @Override
    public Isolation isolation() {
        return isolation;
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        Started started = startAndWait(spec);
        try {
            return new PodSandbox(client, settings.namespace(), started.pod(), started.name(), spec.groupId(),
                    agentCommand, () -> release(started));
        } catch (RuntimeException e) {
            release(started);
            throw e instanceof SandboxException se ? se : new SandboxException("could not start the agent in the "
                    + "sandbox of group " + spec.groupId() + " (" + started.describe() + "): " + e.getMessage()
                    + "; run ./claw4j doctor", e);
        }
    }

    @Override
    public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
        Started started = startAndWait(spec);
        try (ExecWatch watch = client.pods().inNamespace(settings.namespace()).withName(started.pod())
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
            SandboxExit exit = timedOut ? new SandboxExit(code, false)
                    : PodSandbox.exitOf(client, settings.namespace(), started.pod(), code);
            return new ExecResult(exit, out.text(), stderr.text(), timedOut, out.truncated || stderr.truncated);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while running a command in group " + spec.groupId());
        } catch (java.util.concurrent.ExecutionException e) {
            throw new SandboxException("a command in the sandbox of group " + spec.groupId() + " failed: "
                    + e.getCause().getMessage(), e);
        } finally {
            release(started);
        }
    }

    /**
     * What the runtime asked the cluster for, one per sandbox: a Sandbox of the group's own, or
     * a claim on the warm pool; and the pod behind it once Ready.
     */
    private record Started(ResourceDefinitionContext kind, String name, String pod) {
        String describe() {
            return kind.getKind() + " " + name;
        }
    }

    /**
     * Asks for a sandbox and waits until it is Ready. Without a warm pool it is a Sandbox of the group's own, with
     * the group's volume claim (made the first time) as its folder; with one, a claim on the pool, whose pods serve
     * any group and so keep the folder only as long as they live.
     */
    private Started startAndWait(SandboxSpec spec) {
        String groupId = spec.groupId();
        String name = SandboxObjects.claimName(groupId, randomSuffix());
        boolean pooled = settings.warmPool() > 0;
        ResourceDefinitionContext kind = pooled ? SandboxObjects.CLAIMS : SandboxObjects.SANDBOXES;
        try {
            if (!pooled) {
                var pvcs = client.persistentVolumeClaims().inNamespace(settings.namespace());
                if (pvcs.withName(SandboxObjects.folderClaimName(groupId)).get() == null) {
                    pvcs.resource(objects.folderClaim(groupId)).create();
                }
            }
            live.add(name);
            resources(kind).resource(pooled ? objects.claim(name, groupId) : objects.sandbox(name, groupId, limits))
                    .create();
        } catch (KubernetesClientException e) {
            live.remove(name);
            throw new SandboxException("could not make a " + kind.getKind() + " for group " + groupId
                    + " in namespace " + settings.namespace() + " (HTTP " + e.getCode() + "): " + e.getMessage()
                    + "; check the host's Role (deploy/kubernetes/rbac.yaml) and the agent-sandbox CRDs", e);
        }
        Started started = new Started(kind, name, null);
        log.info("[{}] asked for sandbox {} ({})", groupId, name, pooled ? "warm pool " + objects.templateName()
                : "folder " + SandboxObjects.folderClaimName(groupId));
        long deadline = System.nanoTime() + settings.readyTimeout().toNanos();
        while (true) {
            GenericKubernetesResource current = resources(kind).withName(name).get();
            if (current == null) {
                live.remove(name);
                throw new SandboxException("the " + started.describe() + " of group " + groupId + " was deleted "
                        + "while it was starting; see `kubectl -n " + settings.namespace() + " get events`");
            }
            if (ready(current)) {
                return new Started(kind, name, pooled ? podOfClaim(current) : podOfSandbox(current));
            }
            if (System.nanoTime() > deadline) {
                release(started);
                throw new SandboxException("the " + started.describe() + " of group " + groupId + " in namespace "
                        + settings.namespace() + " was not Ready after " + settings.readyTimeout().toSeconds()
                        + " s and was deleted; check `kubectl -n " + settings.namespace() + " describe "
                        + kind.getKind().toLowerCase(java.util.Locale.ROOT) + " " + name + "`: that the agent-sandbox "
                        + "controller runs, that a node offers the RuntimeClass " + settings.runtimeClass()
                        + ", that the image " + settings.image() + " can be pulled, "
                        + (pooled ? "" : "that the volume claim " + SandboxObjects.folderClaimName(groupId)
                                + " binds (and its node has room), ")
                        + "and that the namespace has room for its limits");
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                release(started);
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

    /** The pod behind a Ready claim: its Sandbox's (named by the claim's status, or an annotation). */
    private String podOfClaim(GenericKubernetesResource claim) {
        String sandbox = null;
        if (claim.getAdditionalProperties().get("status") instanceof Map<?, ?> status
                && status.get("sandbox") instanceof Map<?, ?> s && s.get("name") instanceof String name) {
            sandbox = name;
        }
        if (sandbox == null && claim.getMetadata().getAnnotations() != null) {
            sandbox = claim.getMetadata().getAnnotations().get(SandboxObjects.SANDBOX_NAME_ANNOTATION);
        }
        if (sandbox == null) {
            throw new SandboxException("the sandbox claim " + claim.getMetadata().getName() + " is Ready but names no "
                    + "Sandbox in its status; check the agent-sandbox controller's version (claw4j reads "
                    + "status.sandbox.name)");
        }
        GenericKubernetesResource box = resources(SandboxObjects.SANDBOXES).withName(sandbox).get();
        return box == null ? sandbox : podOfSandbox(box);
    }

    /** A Sandbox's pod has its name, unless the controller notes another (a pod adopted from a pool). */
    private static String podOfSandbox(GenericKubernetesResource sandbox) {
        var annotations = sandbox.getMetadata().getAnnotations();
        String pod = annotations == null ? null : annotations.get(SandboxObjects.POD_NAME_ANNOTATION);
        return pod == null || pod.isBlank() ? sandbox.getMetadata().getName() : pod;
    }

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<GenericKubernetesResource,
            io.fabric8.kubernetes.api.model.GenericKubernetesResourceList,
            io.fabric8.kubernetes.client.dsl.Resource<GenericKubernetesResource>> resources(
                    ResourceDefinitionContext kind) {
        return client.genericKubernetesResources(kind).inNamespace(settings.namespace());
    }

    /** Deletes the Sandbox or claim; the controller then removes its pod. The group's volume claim stays. */
    private void release(Started started) {
        live.remove(started.name());
        try {
            resources(started.kind()).withName(started.name()).delete();
        } catch (KubernetesClientException e) {
            log.warn("could not delete the {} in namespace {}: {}; delete it with kubectl", started.describe(),
                    settings.namespace(), e.getMessage());
        }
    }

    /**
     * Deletes this install's claims and Sandboxes that no sandbox of this runtime holds; the controller removes their
     * pods. A Sandbox some other object owns (a claim's, a pool's) is left to its owner.
     */
    @Override
    public int removeOrphans() {
        int removed = 0;
        for (ResourceDefinitionContext kind : List.of(SandboxObjects.CLAIMS, SandboxObjects.SANDBOXES)) {
            for (GenericKubernetesResource c : resources(kind)
                    .withLabel(SandboxObjects.INSTALL_LABEL, settings.installId()).list().getItems()) {
                String name = c.getMetadata().getName();
                boolean owned = c.getMetadata().getOwnerReferences() != null
                        && !c.getMetadata().getOwnerReferences().isEmpty();
                if (!live.contains(name) && !owned) {
                    log.info("[{}] removing orphan {} {}", c.getMetadata().getLabels()
                            .get(SandboxObjects.GROUP_LABEL), kind.getKind(), name);
                    release(new Started(kind, name, null));
                    removed++;
                }
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
