package dev.claw4j.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * fabric8's mock API server in CRUD mode with the agent-sandbox resources, two clients (the host's and the test's
 * own, told apart by their User-Agent so only the host's calls are checked against RBAC), a stand-in for the
 * agent-sandbox controller, and pods' exec streams bridged to real local processes.
 *
 * <p>The mock server's dispatcher sends every request whose path has {@code /exec} to {@link #bridge}: it answers
 * with a WebSocket upgrade and speaks Kubernetes' {@code v4.channel.k8s.io} framing (a channel byte first in every
 * binary frame: 0 stdin, 1 stdout, 2 stderr, 3 the exit status as a {@code Status} object), relaying each channel
 * to a process the test chooses for the exec's command.
 */
final class FakeCluster implements AutoCloseable {
    static final String HOST_AGENT = "claw4j-host";
    static final String TEST_AGENT = "claw4j-test-controller";
    static final String NAMESPACE = "claw4j";

    final KubernetesMockServer server;
    final KubernetesClient host;
    final KubernetesClient test;
    private final List<RecordedRequest> hostRequests = new CopyOnWriteArrayList<>();
    /** Chooses the local process for an exec's command (argv); null refuses the exec. */
    volatile Function<List<String>, ProcessBuilder> processes = command -> null;
    /**
     * How many of the host's next updates (PUT) are answered 409 Conflict, as the API server answers a write from a
     * stale read when another writer changed the object in between.
     */
    final java.util.concurrent.atomic.AtomicInteger conflicts = new java.util.concurrent.atomic.AtomicInteger();
    /** The controller stand-in marks claims Ready only while this is true. */
    volatile boolean controllerReady = true;
    private volatile boolean running = true;
    private final Thread controller;

    FakeCluster() {
        List<CustomResourceDefinitionContext> crds = new ArrayList<>();
        for (ResourceDefinitionContext c : List.of(SandboxObjects.TEMPLATES, SandboxObjects.CLAIMS,
                SandboxObjects.WARM_POOLS, SandboxObjects.SANDBOXES)) {
            crds.add(new CustomResourceDefinitionContext.Builder().withGroup(c.getGroup()).withVersion(c.getVersion())
                    .withPlural(c.getPlural()).withKind(c.getKind()).withScope("Namespaced").build());
        }
        var crud = new KubernetesCrudDispatcher(crds);
        Dispatcher dispatcher = new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (HOST_AGENT.equals(request.getHeader("User-Agent"))) {
                    hostRequests.add(request);
                }
                String path = request.getPath();
                if (path.equals("/version")) { // the custom dispatcher replaces the one that would answer it
                    return new MockResponse().setResponseCode(200).setBody("{\"major\":\"1\",\"minor\":\"34\","
                            + "\"gitVersion\":\"v1.34.1\",\"platform\":\"linux/amd64\"}");
                }
                if (path.contains("/exec?") || path.contains("/attach?")) {
                    return bridge(request);
                }
                if (HOST_AGENT.equals(request.getHeader("User-Agent")) && request.getMethod().equals("PUT")
                        && conflicts.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    return new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":"
                            + "\"v1\",\"status\":\"Failure\",\"reason\":\"Conflict\",\"code\":409,\"message\":"
                            + "\"the object has been modified; please apply your changes to the latest version\"}");
                }
                return crud.dispatch(request);
            }
        };
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        var base = server.createClient().getConfiguration();
        host = new KubernetesClientBuilder().withConfig(new ConfigBuilder(base).withUserAgent(HOST_AGENT)
                .withNamespace(NAMESPACE).build()).build();
        test = new KubernetesClientBuilder().withConfig(new ConfigBuilder(base).withUserAgent(TEST_AGENT)
                .withNamespace(NAMESPACE).build()).build();
        controller = Thread.ofVirtual().name("fake-agent-sandbox-controller").start(this::playController);
    }

    void addRuntimeClass(String name, String handler) {
        test.resources(io.fabric8.kubernetes.api.model.node.v1.RuntimeClass.class).resource(new RuntimeClassBuilder()
                .withNewMetadata().withName(name).endMetadata().withHandler(handler).build()).create();
    }

    /** The host's requests so far, as the API server (and RBAC) saw them. */
    List<RbacRules.Request> hostCalls() {
        return hostRequests.stream().map(r -> RbacRules.Request.of(r.getMethod(), r.getPath())).toList();
    }

    List<GenericKubernetesResource> claims() {
        return test.genericKubernetesResources(SandboxObjects.CLAIMS).inNamespace(NAMESPACE).list().getItems();
    }

    List<GenericKubernetesResource> sandboxes() {
        return test.genericKubernetesResources(SandboxObjects.SANDBOXES).inNamespace(NAMESPACE).list().getItems();
    }

    /**
     * What the agent-sandbox controller does, as far as the runtime sees it: for a claim, makes a Sandbox (named
     * after the claim, as a cold start does) and sets the claim's Ready condition and {@code status.sandbox.name};
     * for a Sandbox the host made, makes its pod from its pod template (same name) and sets its Ready condition.
     */
    private void playController() {
        while (running) {
            try {
                if (controllerReady) {
                    for (GenericKubernetesResource claim : claims()) {
                        if (controllerReady && !KubernetesSandboxRuntime.ready(claim)) {
                            makeReady(claim);
                        }
                    }
                    for (GenericKubernetesResource sandbox : sandboxes()) {
                        if (controllerReady && !KubernetesSandboxRuntime.ready(sandbox) && sandbox.getAdditionalProperties()
                                .get("spec") instanceof Map<?, ?> spec && spec.get("podTemplate") instanceof Map<?, ?> t) {
                            runPod(sandbox.getMetadata().getName(), test.getKubernetesSerialization()
                                    .convertValue(t.get("spec"), io.fabric8.kubernetes.api.model.PodSpec.class));
                            sandbox.setAdditionalProperty("status", Map.of("conditions", List.of(READY)));
                            test.genericKubernetesResources(SandboxObjects.SANDBOXES).inNamespace(NAMESPACE)
                                    .resource(sandbox).update();
                        }
                    }
                }
                Thread.sleep(50);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // a claim deleted under our feet; look again
            }
        }
    }

    private void makeReady(GenericKubernetesResource claim) {
        String name = claim.getMetadata().getName();
        var sandbox = new io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder()
                .withApiVersion("agents.x-k8s.io/v1beta1").withKind("Sandbox")
                .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata().build();
        if (test.genericKubernetesResources(SandboxObjects.SANDBOXES).inNamespace(NAMESPACE).withName(name).get() == null) {
            test.genericKubernetesResources(SandboxObjects.SANDBOXES).inNamespace(NAMESPACE).resource(sandbox).create();
        }
        runPod(name, new io.fabric8.kubernetes.api.model.PodSpecBuilder().addNewContainer()
                .withName(SandboxObjects.CONTAINER).endContainer().build());
        Map<String, Object> status = new LinkedHashMap<>();
        status.put("conditions", List.of(READY));
        status.put("sandbox", Map.of("name", name));
        claim.setAdditionalProperty("status", status);
        test.genericKubernetesResources(SandboxObjects.CLAIMS).inNamespace(NAMESPACE).resource(claim).update();
    }

    private static final Map<String, String> READY = Map.of("type", "Ready", "status", "True", "reason",
            "DependenciesReady", "lastTransitionTime", "2026-12-01T00:00:00Z", "message", "");

    /** The pod the Sandbox controller would run: fabric8 checks it is there and running before an exec. */
    private void runPod(String name, io.fabric8.kubernetes.api.model.PodSpec spec) {
        if (test.pods().inNamespace(NAMESPACE).withName(name).get() == null) {
            test.pods().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.PodBuilder()
                    .withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                    .withSpec(spec)
                    .withNewStatus().withPhase("Running").addNewCondition().withType("Ready").withStatus("True")
                    .endCondition().addNewContainerStatus().withName(SandboxObjects.CONTAINER).withReady(true)
                    .withNewState().withNewRunning().endRunning().endState().endContainerStatus().endStatus()
                    .build()).create();
        }
    }

    /** What the kubelet reports when the kernel killed the pod's container for going over its memory limit. */
    void reportOomKilled(String pod) {
        test.pods().inNamespace(NAMESPACE).withName(pod).editStatus(p -> {
            p.getStatus().setPhase("Failed");
            p.getStatus().setContainerStatuses(List.of(new io.fabric8.kubernetes.api.model.ContainerStatusBuilder()
                    .withName(SandboxObjects.CONTAINER).withReady(false).withNewState().withNewTerminated()
                    .withExitCode(137).withReason("OOMKilled").endTerminated().endState().build()));
            return p;
        });
    }

    private MockResponse bridge(RecordedRequest request) {
        List<String> command = new ArrayList<>();
        String path = request.getPath();
        for (String pair : path.substring(path.indexOf('?') + 1).split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv[0].equals("command") && kv.length == 2) {
                command.add(URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
            }
        }
        ProcessBuilder builder = processes.apply(List.copyOf(command));
        if (builder == null) {
            return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"status\":\"Failure\","
                    + "\"message\":\"this test runs no " + command + "\"}");
        }
        return new MockResponse().withWebSocketUpgrade(new ProcessBridge(builder));
    }

    /** One exec stream relayed to one local process. */
    private static final class ProcessBridge extends WebSocketListener {
        private final ProcessBuilder builder;
        private volatile Process process;

        ProcessBridge(ProcessBuilder builder) {
            this.builder = builder;
        }

        @Override
        public void onOpen(WebSocket ws, io.fabric8.mockwebserver.http.Response response) {
            try {
                process = builder.start();
            } catch (IOException e) {
                send(ws, 3, ("{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":\"" + e.getMessage() + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
                ws.close(1000, "");
                return;
            }
            Thread out = Thread.ofVirtual().start(() -> pump(process.getInputStream(), ws, 1));
            Thread err = Thread.ofVirtual().start(() -> pump(process.getErrorStream(), ws, 2));
            Thread.ofVirtual().start(() -> {
                try {
                    int code = process.waitFor();
                    out.join(5_000);
                    err.join(5_000);
                    String status = code == 0 ? "{\"kind\":\"Status\",\"metadata\":{},\"status\":\"Success\"}"
                            : "{\"kind\":\"Status\",\"metadata\":{},\"status\":\"Failure\",\"message\":\"command "
                            + "terminated with non-zero exit code\",\"reason\":\"NonZeroExitCode\",\"details\":"
                            + "{\"causes\":[{\"reason\":\"ExitCode\",\"message\":\"" + code + "\"}]}}";
                    send(ws, 3, status.getBytes(StandardCharsets.UTF_8));
                    ws.close(1000, "");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }

        private static void pump(InputStream in, WebSocket ws, int channel) {
            byte[] buffer = new byte[8192];
            try {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    send(ws, channel, Arrays.copyOf(buffer, n));
                }
            } catch (IOException e) {
                // the process is gone
            }
        }

        private static void send(WebSocket ws, int channel, byte[] data) {
            byte[] frame = new byte[data.length + 1];
            frame[0] = (byte) channel;
            System.arraycopy(data, 0, frame, 1, data.length);
            ws.send(frame);
        }

        @Override
        public void onMessage(WebSocket ws, byte[] bytes) {
            onFrame(bytes);
        }

        @Override
        public void onMessage(WebSocket ws, io.fabric8.mockwebserver.http.ByteString bytes) {
            onFrame(bytes.toByteArray());
        }

        private void onFrame(byte[] frame) {
            Process p = process;
            if (p == null || frame.length == 0) {
                return;
            }
            try {
                OutputStream stdin = p.getOutputStream();
                if (frame[0] == 0) {
                    stdin.write(frame, 1, frame.length - 1);
                    stdin.flush();
                } else if ((frame[0] & 0xff) == 255) { // v5.channel.k8s.io: the client closed a channel (stdin)
                    stdin.close();
                }
            } catch (IOException e) {
                // the process stopped reading
            }
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            Process p = process;
            if (p != null) {
                try {
                    p.getOutputStream().close();
                } catch (IOException e) {
                    // already closed
                }
            }
        }
    }

    /** A local shell in {@code dir}, standing in for the pod's sh. */
    static ProcessBuilder shellIn(Path dir, List<String> command) {
        return new ProcessBuilder(command).directory(dir.toFile());
    }

    @Override
    public void close() {
        running = false;
        controller.interrupt();
        try {
            controller.join(TimeUnit.SECONDS.toMillis(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        host.close();
        test.close();
        server.destroy();
    }
}
