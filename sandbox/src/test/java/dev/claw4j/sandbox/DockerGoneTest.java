package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import dev.claw4j.core.sandbox.SandboxException;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxSpec;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Docker daemon goes away under a running host (restarted, its socket removed). docker-java's Apache transport
 * then throws a plain RuntimeException around the SocketException, not a DockerException: it escaped
 * {@code start} past the turn (the queue logged "turn failed" and the messages stayed RUNNING until the next host
 * start). It must be a SandboxException, and the runtime must say it is unreachable.
 */
class DockerGoneTest {
    @TempDir
    Path groupDir;

    /** A daemon that answered at the host's start and is gone now: every request fails as with the socket removed. */
    private static final class VanishingDaemon implements DockerHttpClient {
        final AtomicBoolean gone = new AtomicBoolean();
        final AtomicInteger refused = new AtomicInteger();

        @Override
        public Response execute(Request request) {
            if (gone.get()) {
                refused.incrementAndGet();
                throw new RuntimeException(new SocketException("No such file or directory"));
            }
            String body = request.path().endsWith("/_ping") ? "OK"
                    : "{\"Runtimes\": {\"runc\": {\"path\": \"runc\"}, \"runsc\": {\"path\": \"/usr/bin/runsc\"}}}";
            return new Response() {
                @Override
                public int getStatusCode() {
                    return 200;
                }

                @Override
                public Map<String, List<String>> getHeaders() {
                    return Map.of("Content-Type", List.of("application/json"));
                }

                @Override
                public InputStream getBody() {
                    return new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8));
                }

                @Override
                public void close() {}
            };
        }

        @Override
        public void close() {}
    }

    @Test
    void aStartWithTheDaemonGoneIsASandboxExceptionAndTheRuntimeIsUnreachable() {
        VanishingDaemon daemon = new VanishingDaemon();
        var docker = DockerClientImpl.getInstance(DefaultDockerClientConfig.createDefaultConfigBuilder()
                .withDockerHost("unix:///nowhere/docker.sock").build(), daemon);
        var runtime = new DockerSandboxRuntime(docker, new SandboxSettings("runsc", false, null, "test-install"));
        assertThat(runtime.reachable()).isTrue();

        daemon.gone.set(true);

        assertThatThrownBy(() -> runtime.start(new SandboxSpec("g1", groupDir, null, SandboxLimits.DEFAULTS)))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("could not reach Docker").hasMessageContaining("No such file or directory");
        assertThat(daemon.refused).as("the start really went to the daemon").hasPositiveValue();
        assertThat(runtime.reachable()).isFalse();
    }
}
