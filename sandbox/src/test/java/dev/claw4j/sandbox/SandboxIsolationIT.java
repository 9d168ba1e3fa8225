package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.sandbox.ExecResult;
import dev.claw4j.core.sandbox.SandboxLimits;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * What the DESIGN's sandbox table promises, checked from inside real sandboxes on gVisor.
 * Each test has a positive control where it can, so a broken probe cannot pass for a wall.
 */
class SandboxIsolationIT extends InGvisor {
    private static ExecResult sh(String group, String script) {
        return sh(group, script, SandboxLimits.DEFAULTS, Duration.ofSeconds(60));
    }

    private static ExecResult sh(String group, String script, SandboxLimits limits, Duration timeout) {
        return runtime.exec(TestSandboxes.spec(data, group, limits), List.of("bash", "-c", script), timeout, 1 << 20);
    }

    @Test
    void runsOnGvisor() throws IOException {
        assertThat(runtime.isolation().describe()).isEqualTo("gvisor (runsc)");
        ExecResult r = sh("iso-kernel", "cat /proc/version; dmesg 2>/dev/null | head -3");
        String hostKernel = Files.readString(Path.of("/proc/version")).strip();
        assertThat(r.stdout()).doesNotContain(hostKernel).contains("gVisor");
    }

    @Test
    void runsAsNonRoot() {
        ExecResult r = sh("iso-user", "id -u; id -g");
        assertThat(r.stdout()).isEqualTo("1000\n1000\n");
    }

    @Test
    void rootFilesystemIsReadOnlyButTmpAndTheGroupFolderAreWritable() {
        // /workspace belongs to uid 1000 in the image: only the read-only root stops this write
        ExecResult r = sh("iso-rofs", "touch /workspace/probe 2>&1; echo rc=$?; touch /usr/bin/probe 2>&1; echo rc=$?;"
                + " touch /tmp/ok && echo tmp-ok; touch /workspace/group/ok && echo group-ok");
        assertThat(r.stdout()).contains("Read-only file system").doesNotContain("rc=0")
                .contains("tmp-ok").contains("group-ok");
    }

    @Test
    void hasNoCapabilitiesAndCannotGainAny() {
        // gVisor's /proc/self/status has no NoNewPrivs line, so ask the kernel: prctl(PR_GET_NO_NEW_PRIVS)
        ExecResult r = sh("iso-caps", "grep -E '^(CapEff|CapPrm)' /proc/self/status;"
                + " python3 -c 'import ctypes; print(\"nnp\", ctypes.CDLL(None).prctl(39, 0, 0, 0, 0))'");
        assertThat(r.stdout()).contains("CapEff:\t0000000000000000").contains("CapPrm:\t0000000000000000")
                .contains("nnp 1");
    }

    @Test
    void onlyLoopbackExistsAndTcpToTheHostFails() throws Exception {
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"))) {
            List<String> targets = hostAddresses().stream().map(a -> a + ":" + listener.getLocalPort())
                    .collect(Collectors.toList());
            assertThat(targets).isNotEmpty();
            targets.add("1.1.1.1:443");
            String probe = """
                    import socket, sys
                    print("interfaces", sorted(n for _, n in socket.if_nameindex()))
                    for t in sys.argv[1:]:
                        host, port = t.rsplit(":", 1)
                        s = socket.socket(); s.settimeout(3)
                        try:
                            s.connect((host, int(port))); print("CONNECTED", t)
                        except OSError as e:
                            print("refused", t, e.errno)
                    """;
            ExecResult r = runtime.exec(TestSandboxes.spec(data, "iso-net"),
                    concat(List.of("python3", "-c", probe), targets), Duration.ofSeconds(60), 1 << 20);
            assertThat(r.stdout()).contains("interfaces ['lo']").doesNotContain("CONNECTED");
            assertThat(r.stdout().lines().filter(l -> l.startsWith("refused")).count()).isEqualTo(targets.size());
        }
    }

    @Test
    void environmentHoldsNoSecretEvenWhenTheHostHasThem() {
        // the failsafe configuration puts these in this JVM's environment; without them this test proves nothing
        assertThat(System.getenv("ANTHROPIC_API_KEY")).startsWith("sk-ant-host-secret");
        assertThat(System.getenv("SLACK_BOT_TOKEN")).isNotBlank();
        ExecResult r = sh("iso-env", "env; echo; tr '\\0' '\\n' < /proc/1/environ");
        assertThat(r.stdout()).doesNotContainPattern("(?i)(key|token|secret|password)=")
                .doesNotContain("host-secret").contains("HOME=/home/agent");
    }

    @Test
    void aKillThatIsNotForMemoryIsNotCalledOutOfMemory() {
        // exit 137 with memory to spare: Docker's event log holds no oom of it, so it stays a plain kill
        ExecResult r = sh("iso-kill", "kill -9 $$");
        assertThat(r.exit().exitCode()).isEqualTo(137);
        assertThat(r.exit().outOfMemory()).as("%s", r).isFalse();
    }

    @Test
    void memoryPastTheLimitIsKilledAndReportedAsOutOfMemory() {
        var limits = new SandboxLimits(128L << 20, 1.0, 256, 16L << 20, 16L << 20, Duration.ofMinutes(1));
        // after a second, as an agent's tool would: an OOM in a sandbox's first moment, before containerd's shim
        // watches its cgroup, is never reported by the kernel to Docker (README, Known limits)
        ExecResult r = sh("iso-oom", "sleep 1; python3 -c 'x=[]\nwhile True: x.append(bytearray(16<<20))'", limits,
                Duration.ofSeconds(60));
        assertThat(r.timedOut()).isFalse();
        assertThat(r.exit().outOfMemory()).as("reported as out of memory: %s", r).isTrue();
        assertThat(r.exit().exitCode()).isEqualTo(137);
    }

    /**
     * With gVisor's ptrace platform every guest process costs host tasks, which count against the pids
     * limit; reaching it ends the whole sandbox rather than failing one fork. Either way the forking stops
     * well below the limit and the host sees the sandbox end.
     */
    @Test
    void forkingStopsAtThePidsLimit() {
        String probe = """
                import os, time
                n = 0
                try:
                    while n < 10000:
                        if os.fork() == 0:
                            time.sleep(30); os._exit(0)
                        n += 1
                        print("forked", n, flush=True)
                except OSError as e:
                    print("stopped after", n, "errno", e.errno, flush=True)
                """;
        ExecResult r = runtime.exec(TestSandboxes.spec(data, "iso-pids"), List.of("python3", "-c", probe),
                Duration.ofSeconds(60), 1 << 20);
        assertThat(r.timedOut()).isFalse();
        int forked = (int) r.stdout().lines().filter(l -> l.startsWith("forked")).count();
        assertThat(forked).as("some forks succeed before the limit").isGreaterThan(5).isLessThan(256);
        assertThat(r.stdout().contains("stopped after") || r.exit().exitCode() != 0).isTrue();
    }

    @Test
    void aForkBombDoesNotStopTheHostOrOtherGroups() throws Exception {
        var bomb = CompletableFuture.supplyAsync(() -> sh("iso-bomb", "bomb(){ bomb|bomb& }; bomb; sleep 60", SandboxLimits.DEFAULTS,
                Duration.ofSeconds(20)));
        Thread.sleep(4_000); // let it grow to its limit
        long t0 = System.nanoTime();
        ExecResult other = sh("iso-bystander", "echo alive");
        TestSandboxes.DOCKER.pingCmd().exec();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);
        assertThat(other.stdout()).isEqualTo("alive\n");
        assertThat(took).isLessThan(Duration.ofSeconds(30));
        ExecResult bombed = bomb.get();
        assertThat(bombed.timedOut() || bombed.exit().exitCode() != 0).isTrue();
    }

    @Test
    void aGroupCannotSeeAnotherGroupsFolder() throws IOException {
        Path secretDir = data.resolve("groups/iso-b");
        Files.createDirectories(secretDir);
        Files.writeString(secretDir.resolve("secret.txt"), "TOPSECRET-B");
        sh("iso-a", "echo mine > /workspace/group/own.txt");
        ExecResult r = sh("iso-a", "cat /workspace/group/own.txt; ls /workspace /workspace/group;"
                + " cat /workspace/group/../iso-b/secret.txt " + secretDir.resolve("secret.txt")
                + " /workspace/../groups/iso-b/secret.txt 2>&1;"
                + " find / -name secret.txt -not -path '/proc/*' 2>/dev/null; echo end");
        assertThat(r.stdout()).contains("mine").contains("own.txt").contains("end").doesNotContain("TOPSECRET");
        assertThat(r.stdout()).doesNotContain("secret.txt\n");
    }

    private static List<String> hostAddresses() throws IOException {
        return NetworkInterface.networkInterfaces()
                .flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .map(InetAddress::getHostAddress)
                .collect(Collectors.toList());
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
