package dev.claw4j.app;

import dev.claw4j.core.sandbox.SandboxRuntime;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.DockerSandboxRuntime;
import dev.claw4j.sandbox.SandboxSettings;
import dev.claw4j.sandbox.kubernetes.KubernetesSandboxRuntime;
import dev.claw4j.sandbox.kubernetes.KubernetesSettings;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.time.Duration;

/** Wiring of the sandbox runtime from config, in one place. */
final class Sandboxes {
    private Sandboxes() {}

    /** Docker (the default), or agent-sandbox claims on a cluster with {@code sandbox.runtime: kubernetes}. */
    static SandboxRuntime runtime(Config config) {
        Config.Sandbox s = config.sandbox();
        String install = Install.id(config.dataDir());
        if (s.onKubernetes()) {
            return new KubernetesSandboxRuntime(kubernetesClient(), kubernetesSettings(s, install), s.limits());
        }
        return new DockerSandboxRuntime(DockerClients.connect(),
                new SandboxSettings(s.runtime(), s.requireSecondWall(), s.image(), install));
    }

    /** The cluster's client: the pod's service account in a cluster, else the kubeconfig (KUBECONFIG, ~/.kube/config). */
    static KubernetesClient kubernetesClient() {
        return new KubernetesClientBuilder().build();
    }

    /** The kubernetes runtime's settings; throws {@link ConfigException} naming the key that is wrong. */
    static KubernetesSettings kubernetesSettings(Config.Sandbox s, String installId) {
        Config.Kubernetes k = s.kubernetes();
        if (s.image() == null || s.image().isBlank()) {
            throw new ConfigException("sandbox.image must name the agent image the cluster's nodes can pull (for "
                    + "example registry.example.com/claw4j-agent:0.1.0) when sandbox.runtime is kubernetes");
        }
        if (k.readyTimeoutSeconds() < 1) {
            throw new ConfigException("sandbox.kubernetes.readyTimeoutSeconds must be at least 1, got "
                    + k.readyTimeoutSeconds());
        }
        try {
            return new KubernetesSettings(k.namespace(), k.runtimeClass(), k.template(), k.warmPool(),
                    Duration.ofSeconds(k.readyTimeoutSeconds()), s.image(), installId, s.requireSecondWall(),
                    k.folderSize(), k.storageClass());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(e.getMessage());
        }
    }

    static SandboxSpec spec(Config config, String groupId) {
        Path groups = config.dataDir().resolve("groups");
        return new SandboxSpec(groupId, groups.resolve(groupId), config.dataDir().resolve("global"),
                config.sandbox().limits());
    }

    /** The agent jar the launcher's build put beside the app. */
    static Path agentJar() {
        return ConfigOption.home().resolve("app/target/agent/claw4j-agent.jar");
    }
}
