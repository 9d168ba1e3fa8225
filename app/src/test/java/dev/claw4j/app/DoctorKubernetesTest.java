package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.node.v1.RuntimeClass;
import io.fabric8.kubernetes.api.model.node.v1.RuntimeClassBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.Dispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.HashMap;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./claw4j doctor} with {@code sandbox.runtime: kubernetes}, run as a user runs it, against fabric8's mock
 * API server (found the way a real one is: the client's {@code kubernetes.master} setting, here a system property).
 */
class DoctorKubernetesTest {
    @TempDir
    Path dir;

    @Test
    void reportsTheClusterTheRuntimeClassAndWhatItMapsTo() throws Exception {
        var crud = new KubernetesCrudDispatcher();
        var server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return request.getPath().equals("/version")
                        ? new MockResponse().setResponseCode(200).setBody(
                                "{\"major\":\"1\",\"minor\":\"34\",\"gitVersion\":\"v1.34.1\"}")
                        : crud.dispatch(request);
            }
        }, false);
        server.init();
        try (var client = server.createClient()) {
            client.resources(RuntimeClass.class).resource(new RuntimeClassBuilder().withNewMetadata()
                    .withName("gvisor").endMetadata().withHandler("runsc").build()).create();
            client.resources(RuntimeClass.class).resource(new RuntimeClassBuilder().withNewMetadata()
                    .withName("plain").endMetadata().withHandler("runc").build()).create();
            String master = client.getMasterUrl().toString();
            System.setProperty("kubernetes.master", master);
            System.setProperty("kubernetes.trust.certificates", "true");
            System.setProperty("kubernetes.auth.tryKubeConfig", "false");
            System.setProperty("kubernetes.auth.tryServiceAccount", "false");

            CliRun ok = CliRun.run("doctor", "--config", config("gvisor").toString());
            assertThat(ok.out()).contains("cluster:").contains(master).contains("Kubernetes v1.34.1")
                    .contains("gvisor (handler runsc) → user-space kernel (gVisor)")
                    .contains("claw4j can run here").doesNotContain("docker:");
            assertThat(ok.code()).isZero();

            CliRun refused = CliRun.run("doctor", "--config", config("plain").toString());
            assertThat(refused.out()).contains("plain (handler runc) → none beyond a plain container (runc)")
                    .contains("requireSecondWall").contains("claw4j cannot run yet");
            assertThat(refused.code()).isEqualTo(1);
        } finally {
            for (String p : new String[] {"kubernetes.master", "kubernetes.trust.certificates",
                    "kubernetes.auth.tryKubeConfig", "kubernetes.auth.tryServiceAccount"}) {
                System.clearProperty(p);
            }
            server.destroy();
        }
    }

    private Path config(String runtimeClass) throws Exception {
        return Files.writeString(dir.resolve(runtimeClass + ".yaml"), """
                dataDir: %s
                sandbox:
                  runtime: kubernetes
                  requireSecondWall: true
                  image: registry.example.com/claw4j-agent:0.1.0
                  kubernetes:
                    runtimeClass: %s
                """.formatted(dir.resolve("data"), runtimeClass));
    }
}
