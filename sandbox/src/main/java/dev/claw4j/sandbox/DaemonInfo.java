package dev.claw4j.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Info;
import dev.claw4j.core.sandbox.SandboxException;
import java.util.Set;
import java.util.TreeSet;

/** What the Docker daemon offers, read once per question. */
public final class DaemonInfo {
    private DaemonInfo() {}

    public static Set<String> runtimes(DockerClient docker) {
        Info info;
        try {
            info = docker.infoCmd().exec();
        } catch (RuntimeException e) {
            throw new SandboxException("no Docker engine answers at " + DockerClients.endpoint() + " (" + e.getMessage()
                    + "); start one with scripts/setup-docker.sh, or set DOCKER_HOST", e);
        }
        Set<String> names = new TreeSet<>();
        if (info.getRuntimes() != null) {
            names.addAll(info.getRuntimes().keySet());
        }
        return names;
    }
}
