package dev.claw4j.bench;

import dev.claw4j.core.agent.AgentChannel;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Time to a ready agent: claw4j's start (create, attach, start, hardening, wait for the agent's
 * {@code ready} line) against a plain {@code docker run -i} of the same image and runtime, waiting for
 * the same line. Runs alternate so drift on this shared machine hits both sides alike.
 */
public final class SandboxStartBench {
    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        String runtimeName = args.length > 1 ? args[1] : "runsc";
        Path data = Files.createTempDirectory("claw4j-bench-");
        var settings = new SandboxSettings(runtimeName, false, null, "bench-" + ProcessHandle.current().pid());
        try (var runtime = new DockerSandboxRuntime(DockerClients.connect(), settings)) {
            SandboxSpec spec = new SandboxSpec("bench", data.resolve("groups/bench"), data.resolve("global"),
                    SandboxLimits.DEFAULTS);
            List<String> plainCommand = List.of("docker", "run", "-i", "--rm", "--runtime=" + runtimeName,
                    "--network=none", AgentImage.TAG);
            // warm-up: page cache, JIT of the host side, image layers
            claw4j(runtime, spec);
            plain(plainCommand);
            List<Double> ours = new ArrayList<>();
            List<Double> theirs = new ArrayList<>();
            for (int i = 0; i < runs; i++) {
                if (i % 2 == 0) {
                    ours.add(claw4j(runtime, spec));
                    theirs.add(plain(plainCommand));
                } else {
                    theirs.add(plain(plainCommand));
                    ours.add(claw4j(runtime, spec));
                }
            }
            double a = median(ours);
            double b = median(theirs);
            System.out.printf("sandbox start to ready agent (%s, %d runs each)%n", runtime.isolation().describe(), runs);
            System.out.printf("  claw4j (hardened, attached): median %.0f ms  (min %.0f, max %.0f)%n", a,
                    Collections.min(ours), Collections.max(ours));
            System.out.printf("  plain docker run -i:         median %.0f ms  (min %.0f, max %.0f)%n", b,
                    Collections.min(theirs), Collections.max(theirs));
            System.out.printf("  ratio claw4j / plain: %.2f  (target <= 1.20)%n", a / b);
        }
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

    private static double plain(List<String> command) throws Exception {
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (var out = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            String line = out.readLine();
            double ms = (System.nanoTime() - t0) / 1e6;
            if (line == null || !line.contains("\"type\":\"ready\"")) {
                throw new IllegalStateException("expected the ready line from docker run, got " + line);
            }
            p.getOutputStream().close(); // end of input: the agent exits, --rm removes the container
            p.waitFor();
            return ms;
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
