package dev.claw4j.app;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.sandbox.AgentImage;
import dev.claw4j.sandbox.DaemonInfo;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.RuntimeSelector;
import java.nio.file.Files;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Tells, one line each, whether claw4j can run here and what to do about each problem. */
@Command(name = "doctor", description = "Check Java, Docker, the sandbox runtime and the agent image.")
final class DoctorCommand implements Callable<Integer> {
    @Mixin
    ConfigOption configOption;

    private boolean failed;

    @Override
    public Integer call() {
        Config config;
        try {
            config = configOption.load();
            line("config", configOption.file == null ? "defaults + config/claw4j.yaml" : configOption.file.toString(), true, null);
        } catch (ConfigException e) {
            line("config", e.getMessage(), false, "fix the key named above");
            return 1;
        }
        int java = Runtime.version().feature();
        line("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") at "
                + System.getProperty("java.home"), java >= 21, "use a JDK 21 or newer (set JAVA_HOME)");
        line("data dir", config.dataDir().toString(), Files.isWritable(config.dataDir())
                || !Files.exists(config.dataDir()), "make it writable by this user");
        if (config.sandbox().onKubernetes()) {
            return kubernetes(config.sandbox());
        }
        String endpoint = DockerClients.endpoint();
        try (DockerClient docker = DockerClients.connect()) {
            Version v;
            try {
                v = docker.versionCmd().exec();
            } catch (RuntimeException e) {
                line("docker", endpoint + ": no answer (" + e.getMessage() + ")", false,
                        "start Docker: scripts/setup-docker.sh (Debian, as root) or set DOCKER_HOST");
                return 1;
            }
            line("docker", endpoint + ", Docker " + v.getVersion() + " (API " + v.getApiVersion() + ")", true, null);
            Set<String> runtimes = DaemonInfo.runtimes(docker);
            line("runtimes", String.join(", ", runtimes), true, null);
            Config.Sandbox s = config.sandbox();
            try {
                Isolation isolation = RuntimeSelector.choose(runtimes, s.runtime(), s.requireSecondWall());
                line("runtime", isolation.runtime() + " (sandbox.runtime: " + s.runtime() + ")", true, null);
                line("isolation", isolation.describe() + (isolation.hasSecondWall() ? "" : " — one wall only"),
                        true, null);
                if (!isolation.hasSecondWall()) {
                    System.out.println("  note: install gVisor (apt-get install runsc; scripts/setup-docker.sh registers "
                            + "it) for a second wall");
                }
            } catch (RuntimeException e) {
                line("runtime", e.getMessage(), false, null);
            }
            boolean base = AgentImage.isPresent(docker, AgentImage.BASE);
            boolean image = AgentImage.isPresent(docker, s.image() == null ? AgentImage.TAG : s.image());
            line("agent image", (s.image() == null ? AgentImage.TAG : s.image()) + (image ? " present" : " missing"),
                    image, "./claw4j image build" + (base ? "" : " (builds the base " + AgentImage.BASE + " first)"));
            line("limits", "memory " + s.memory() + ", cpus " + s.cpus() + ", pids " + s.pids() + ", tmp " + s.tmpSize()
                    + ", turn " + s.turnTimeout() + ", network none", true, null);
        } catch (java.io.IOException e) {
            // closing the client failed; nothing to report
        }
        System.out.println(failed ? "claw4j cannot run yet: fix the lines marked ✗" : "claw4j can run here");
        return failed ? 1 : 0;
    }

    /** With {@code sandbox.runtime: kubernetes}: the cluster, the runtime class and what it maps to, no Docker. */
    private Integer kubernetes(Config.Sandbox s) {
        dev.claw4j.sandbox.kubernetes.KubernetesSettings settings;
        try {
            // the install id only labels objects; the doctor makes none
            settings = Sandboxes.kubernetesSettings(s, "doctor-check");
        } catch (ConfigException e) {
            line("kubernetes", e.getMessage(), false, "fix the key named above");
            return 1;
        }
        try (var client = Sandboxes.kubernetesClient()) {
            for (var l : dev.claw4j.sandbox.kubernetes.ClusterReport.of(client, settings)) {
                line(l.name(), l.value(), l.ok(), l.fix());
            }
        } catch (RuntimeException e) {
            line("cluster", e.getMessage(), false, "check the kubeconfig (KUBECONFIG) or the pod's service account");
        }
        line("agent image", s.image() + " (pulled by the cluster's nodes; not checked here)", true, null);
        line("limits", "memory " + s.memory() + ", cpus " + s.cpus() + ", tmp " + s.tmpSize() + ", turn "
                + s.turnTimeout() + ", network: none (NetworkPolicy)", true, null);
        System.out.println(failed ? "claw4j cannot run yet: fix the lines marked ✗" : "claw4j can run here");
        return failed ? 1 : 0;
    }

    private void line(String name, String value, boolean ok, String fix) {
        System.out.printf("%-12s %s %s%n", name + ":", ok ? "✓" : "✗", value);
        if (!ok) {
            failed = true;
            if (fix != null) {
                System.out.printf("%-12s   → %s%n", "", fix);
            }
        }
    }
}
