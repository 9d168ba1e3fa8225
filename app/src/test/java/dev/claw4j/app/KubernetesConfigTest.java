package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code sandbox.runtime: kubernetes} and its {@code sandbox.kubernetes:} section. */
class KubernetesConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);

    @Test
    void readsTheKubernetesSectionIntoTheRuntimesSettings() {
        Config config = loader.parse("""
                sandbox:
                  runtime: kubernetes
                  requireSecondWall: true
                  image: registry.example.com/claw4j-agent:0.1.0
                  kubernetes:
                    namespace: agents
                    runtimeClass: kata-fc
                    template: team-agent
                    warmPool: 3
                    readyTimeoutSeconds: 45
                    folderSize: 5Gi
                    storageClass: fast
                """, "test");
        assertThat(config.sandbox().onKubernetes()).isTrue();
        var settings = Sandboxes.kubernetesSettings(config.sandbox(), "install-1");
        assertThat(settings.namespace()).isEqualTo("agents");
        assertThat(settings.runtimeClass()).isEqualTo("kata-fc");
        assertThat(settings.template()).isEqualTo("team-agent");
        assertThat(settings.warmPool()).isEqualTo(3);
        assertThat(settings.readyTimeout()).isEqualTo(Duration.ofSeconds(45));
        assertThat(settings.folderSize()).isEqualTo("5Gi");
        assertThat(settings.storageClass()).isEqualTo("fast");
        assertThat(settings.requireSecondWall()).isTrue();
        assertThat(settings.image()).isEqualTo("registry.example.com/claw4j-agent:0.1.0");
    }

    @Test
    void defaultsAreTheDeployManifests() {
        Config config = loader.parse("sandbox:\n  runtime: kubernetes\n  image: r.example/agent:1\n", "test");
        var settings = Sandboxes.kubernetesSettings(config.sandbox(), "install-1");
        assertThat(settings.namespace()).isEqualTo("claw4j");
        assertThat(settings.runtimeClass()).isEqualTo("gvisor");
        assertThat(settings.template()).isEqualTo("claw4j-agent");
        assertThat(settings.warmPool()).isZero();
        assertThat(loader.parse("sandbox:\n  runtime: runsc\n", "test").sandbox().onKubernetes()).isFalse();
    }

    @Test
    void badKubernetesValuesAreErrorsThatNameTheKey() {
        assertThatThrownBy(() -> loader.parse("sandbox:\n  runtime: kubernetes\n", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sandbox.image");
        assertThatThrownBy(() -> loader.parse(
                "sandbox:\n  runtime: kubernetes\n  image: a/b:1\n  kubernetes:\n    warmPool: -1\n", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sandbox.kubernetes.warmPool");
        assertThatThrownBy(() -> loader.parse(
                "sandbox:\n  runtime: kubernetes\n  image: a/b:1\n  kubernetes:\n    runtimeClass: Bad_Class\n", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("runtimeClass");
        assertThatThrownBy(() -> loader.parse(
                "sandbox:\n  runtime: kubernetes\n  image: a/b:1\n  kubernetes:\n    readyTimeoutSeconds: 0\n", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sandbox.kubernetes.readyTimeoutSeconds");
        assertThatThrownBy(() -> loader.parse(
                "sandbox:\n  runtime: kubernetes\n  image: a/b:1\n  kubernetes:\n    namespaces: x\n", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sandbox.kubernetes.namespaces");
    }
}
