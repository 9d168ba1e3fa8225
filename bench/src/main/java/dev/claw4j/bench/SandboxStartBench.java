package dev.claw4j.bench;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.core.sandbox.AgentJvm;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.sandbox.AgentImage;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.DockerSandboxRuntime;
import dev.claw4j.sandbox.SandboxSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Time to a ready agent, three sides alternated in one run so drift on this shared machine hits all alike:
 * <ol>
 *   <li>claw4j's start (create, attach, start with all its hardening, wait for the agent's {@code ready} line);
 *   <li>plain docker-java: the same image, runtime, command and attach over the same API, no hardening at all;
 *   <li>{@code docker run -i} with exactly claw4j's hardening flags (the CLI: a process and a new API connection).
 * </ol>
 * The hardening flags mirror sandbox/HardenedContainer (package-private there); keep the two in step.
 */
public final class SandboxStartBench {
    private static final String USER = "1000:1000";
    private static final List<String> ENV = List.of("HOME=/home/agent",
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8",
            "CLAW4J_WORKSPACE=/workspace");

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String runtimeName = args.length > 1 ? args[1] : "runsc";
        Path data = Files.createTempDirectory("claw4j-bench-");
        var settings = new SandboxSettings(runtimeName, false, null, "bench-" + ProcessHandle.current().pid());
        SandboxLimits limits = SandboxLimits.DEFAULTS;
        try (var runtime = new DockerSandboxRuntime(DockerClients.connect(), settings);
             DockerClient docker = DockerClients.connect()) {
            SandboxSpec spec = new SandboxSpec("bench", data.resolve("groups/bench"), data.resolve("global"), limits);
            String runtimeInForce = runtime.isolation().runtime();
            List<String> agent = AgentJvm.command(limits); // the same JVM flags on every side: only the hardening differs
            List<String> cli = hardenedDockerRun(runtimeInForce, spec, agent);
            // warm-up: page cache, JIT of the host side, image layers; claw4j's first start also prepares the folders
            claw4j(runtime, spec);
            plainApi(docker, runtimeInForce, agent);
            cli(cli);
            List<Double> ours = new ArrayList<>();
            List<Double> api = new ArrayList<>();
            List<Double> run = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                // rotate which side goes first
                for (int k = 0; k < 3; k++) {
                    switch ((i + k) % 3) {
                        case 0 -> ours.add(claw4j(runtime, spec));
                        case 1 -> api.add(plainApi(docker, runtimeInForce, agent));
                        default -> run.add(cli(cli));
                    }
                }
            }
            double a = median(ours);
            System.out.printf("sandbox start to ready agent (%s, %d runs each, alternated)%n",
                    runtime.isolation().describe(), runs);
            line("claw4j (hardened, docker-java attach)", ours);
            line("plain docker-java, no hardening", api);
            line("docker run -i, claw4j's hardening flags", run);
            System.out.printf("  ratio claw4j / plain docker-java:       %.2f%n", a / median(api));
            System.out.printf("  ratio claw4j / hardened docker run -i:  %.2f%n", a / median(run));
            System.out.println("  the docker run command: " + String.join(" ", cli));
        }
    }

    /** Every flag of HardenedContainer.hostConfig and DockerSandboxRuntime.create, as the CLI spells it. */
    static List<String> hardenedDockerRun(String runtime, SandboxSpec spec, List<String> agent) {
        SandboxLimits l = spec.limits();
        List<String> c = new ArrayList<>(List.of("docker", "run", "-i", "--rm",
                "--runtime=" + runtime,
                "--network=none",
                "--memory=" + l.memoryBytes(),
                "--memory-swap=" + l.memoryBytes(),
                "--cpus=" + l.cpus(),
                "--pids-limit=" + l.pids(),
                "--read-only",
                "--cap-drop=ALL",
                "--security-opt=no-new-privileges",
                "--tmpfs=/tmp:rw,nosuid,nodev,size=" + l.tmpBytes() + ",mode=1777",
                "--tmpfs=/home/agent:rw,nosuid,nodev,size=" + l.homeBytes() + ",uid=1000,gid=1000,mode=0700",
                "--volume=" + spec.groupDir().toAbsolutePath() + ":/workspace/group:rw",
                "--volume=" + spec.globalDir().toAbsolutePath() + ":/workspace/global:ro",
                "--init",
                "--log-driver=none",
                "--user=" + USER,
                "--workdir=/workspace/group",
                "--entrypoint="));
        for (String e : ENV) {
            c.add("--env=" + e);
        }
        c.add(AgentImage.TAG);
        c.addAll(agent);
        return c;
    }

    private static double claw4j(DockerSandboxRuntime runtime, SandboxSpec spec) throws Exception {
        long t0 = System.nanoTime();
        try (Sandbox sandbox = runtime.start(spec); AgentChannel channel = new AgentChannel(sandbox, e -> {})) {
            AgentMessage first = channel.receive(Duration.ofSeconds(60));
            double ms = (System.nanoTime() - t0) / 1e6;
            if (!(first instanceof AgentMessage.Ready)) {
                throw new IllegalStateException("expected ready, got " + first);
            }
            return ms;
        }
    }

    /** Same image, runtime and command, attached over the API as claw4j does; none of the hardening. */
    private static double plainApi(DockerClient docker, String runtime, List<String> agent) throws Exception {
        long t0 = System.nanoTime();
        String id = docker.createContainerCmd(AgentImage.TAG).withEntrypoint(List.of()).withCmd(agent)
                .withAttachStdin(true).withStdinOpen(true).withStdInOnce(true)
                .withAttachStdout(true).withAttachStderr(true).withTty(false)
                .withHostConfig(HostConfig.newHostConfig().withRuntime(runtime)).exec().getId();
        CompletableFuture<Long> ready = new CompletableFuture<>();
        StringBuilder out = new StringBuilder();
        var stdin = new PipedOutputStream();
        var stdinSource = new PipedInputStream(stdin);
        try (var callback = docker.attachContainerCmd(id).withStdIn(stdinSource).withStdOut(true).withStdErr(true)
                .withFollowStream(true).exec(new ResultCallback.Adapter<Frame>() {
                    @Override
                    public void onNext(Frame frame) {
                        if (frame.getStreamType() == StreamType.STDOUT) {
                            out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
                            if (out.indexOf("\"type\":\"ready\"") >= 0) {
                                ready.complete(System.nanoTime());
                            }
                        }
                    }
                })) {
            callback.awaitStarted(10, TimeUnit.SECONDS);
            docker.startContainerCmd(id).exec();
            long t1 = ready.get(60, TimeUnit.SECONDS);
            return (t1 - t0) / 1e6;
        } finally {
            stdin.close();
            docker.removeContainerCmd(id).withForce(true).exec();
        }
    }

    private static double cli(List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line = out.readLine();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (line == null || !line.contains("\"type\":\"ready\"")) {
                throw new IllegalStateException("expected the ready line from docker run, got " + line
                        + "; try the printed docker run command by hand");
            }
            p.getOutputStream().close(); // end of input: the agent exits, --rm removes the container
            p.waitFor();
            return ms;
        }
    }

    private static void line(String name, List<Double> v) {
        System.out.printf("  %-42s median %5.0f ms  (min %5.0f, max %5.0f)%n", name + ":", median(v),
                Collections.min(v), Collections.max(v));
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
