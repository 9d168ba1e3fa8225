package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.Config;
import dev.claw4j.core.store.AuditEvent;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adversarial suite: a scripted model drives real agents in real gVisor sandboxes to attack the host,
 * other groups, the network and the kernel. Each attack runs in a chat of its own; after each, the host must
 * be alive, the victim group must still answer and keep its secrets, and where the host itself refused
 * something, an audit event must name it. The README's security table lists these attacks.
 */
class AttackSuiteIT {
    @TempDir
    static Path data;
    static RunningHost host;
    static String victimGroup;
    static Path victimDir;
    static ServerSocket hostListener;
    static final AtomicInteger chats = new AtomicInteger();
    static final AtomicInteger victimPings = new AtomicInteger();
    static final String VICTIM_SECRET = "VICTIM-SECRET-7321";

    @BeforeAll
    static void start() throws Exception {
        hostListener = new ServerSocket(0, 50, InetAddress.getByName("0.0.0.0"));
        host = new RunningHost(data, new Config.Sandbox("runsc", true, null, "256m", 1.0, 256L, "32m", "25s", "30s",
                4, "100m", null), List.of(), "per-chat");
        host.chat.post("dm-victim", "vic", "my password is VICTIM-PW-1; run: echo " + VICTIM_SECRET.replace("-", "_")
                + " > /dev/null && printf '%s' " + VICTIM_SECRET + " > secret.txt && echo stored");
        host.chat.awaitReplies("dm-victim", 1, Duration.ofSeconds(90));
        victimGroup = host.claw4j.store().groupForBinding("web:chat:dm-victim").orElseThrow();
        victimDir = data.resolve("groups").resolve(victimGroup);
        assertThat(Files.readString(victimDir.resolve("secret.txt"))).isEqualTo(VICTIM_SECRET);
    }

    @AfterAll
    static void stop() throws IOException {
        host.close();
        hostListener.close();
    }

    /** One attack: the command its agent runs, and what must hold afterwards. */
    record Attack(String name, String command, String stoppedBy, Consumer<Outcome> check) {}

    /** What came of an attack: the reply text, the command's output within it, and the group's audit trail. */
    record Outcome(String reply, String output, List<AuditEvent> audit) {
        boolean audited(String kind) {
            return audit.stream().anyMatch(e -> e.kind().equals(kind));
        }
    }

    static List<Attack> attacks() throws IOException {
        String victim = victimDir.toString();
        String hostTargets = hostAddresses().stream()
                .flatMap(a -> Stream.of(a + ":" + hostListener.getLocalPort(), a + ":22", a + ":2375"))
                .collect(Collectors.joining(" "));
        String forge = "> /proc/$PPID/fd/1"; // the agent runner's stdout: the line goes straight to the host
        List<Attack> list = new ArrayList<>();
        // -- another group's files
        list.add(new Attack("read another group's folder by its host path",
                "cat " + victim + "/secret.txt; ls " + victim + "; echo end", "mount namespace: only the own folder is mounted",
                o -> assertThat(o.output()).contains("No such file").doesNotContain(VICTIM_SECRET)));
        list.add(new Attack("climb out with ..",
                "cat ../" + victimGroup + "/secret.txt ../../groups/" + victimGroup + "/secret.txt "
                        + "/workspace/../../../../" + victim + "/secret.txt; ls -a ..; echo end",
                "mount namespace", o -> assertThat(o.output()).doesNotContain(VICTIM_SECRET).contains("end")));
        list.add(new Attack("symlink to another group's folder",
                "ln -s " + victim + "/secret.txt s.txt; cat s.txt; ln -sfn " + victim + " d; ls d/; echo end",
                "links resolve inside the sandbox", o -> assertThat(o.output()).doesNotContain(VICTIM_SECRET)));
        list.add(new Attack("hard link to another group's file",
                "ln " + victim + "/secret.txt h.txt; ln /etc/passwd p.txt; cat h.txt; echo end",
                "no path to the file; no cross-device links",
                o -> assertThat(o.output()).doesNotContain(VICTIM_SECRET).contains("end")));
        list.add(new Attack("through /proc/*/root and /proc/*/cwd",
                "for p in /proc/[0-9]*; do cat $p/root" + victim + "/secret.txt $p/cwd/../" + victimGroup
                        + "/secret.txt 2>/dev/null; done; ls /proc/1/root/; echo scanned",
                "gVisor: /proc shows only the sandbox's own processes",
                o -> assertThat(o.output()).doesNotContain(VICTIM_SECRET).contains("scanned")));
        list.add(new Attack("find the host's data directory, database or config",
                "find / \\( -name '*.mv.db' -o -name 'claw4j.yaml' -o -name install-id -o -name 'host-*' \\) "
                        + "-not -path '/proc/*' 2>/dev/null; ls " + data + " 2>&1; echo searched",
                "nothing of the host is mounted",
                o -> assertThat(o.output()).doesNotContain(".mv.db").doesNotContain("claw4j.yaml")
                        .doesNotContain("install-id").contains("searched")));
        list.add(new Attack("read the other group's conversation",
                "grep -rs VICTIM-PW / --exclude-dir=proc --exclude-dir=sys 2>/dev/null | grep -v '^/workspace/group/.claw4j'; "
                        + "echo searched", "each conversation lives in its own group's folder; only that folder is mounted",
                o -> assertThat(o.output()).doesNotContain("VICTIM-PW-1")));
        // -- secrets
        list.add(new Attack("read keys and tokens from the environment and /proc",
                "env; tr '\\0' '\\n' < /proc/1/environ; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'; echo end",
                "no secret enters a sandbox",
                o -> assertThat(o.output()).doesNotContain("host-secret").doesNotContainPattern("(?i)(api_key|token)=")));
        list.add(new Attack("search files for keys",
                "grep -rIl -e 'host-secr''et' /etc /home /tmp /opt /root /var /run /usr/local 2>/dev/null; echo searched",
                "no secret enters a sandbox", o -> assertThat(o.output().strip()).isEqualTo("searched")));
        // -- network
        list.add(new Attack("TCP to the host's addresses and the Docker bridge",
                // (one line: the scripted model takes the command up to the end of the line; python's exec
                // turns the \\n escapes into newlines)
                "python3 -c 'exec(\"import socket,sys\\nfor t in sys.argv[1:]:\\n h,p=t.rsplit(\\\":\\\",1); "
                        + "s=socket.socket(); s.settimeout(2)\\n try: s.connect((h,int(p))); print(\\\"CONNECTED\\\",t)"
                        + "\\n except OSError as e: print(\\\"refused\\\",t,e.errno)\")' "
                        + hostTargets + " 172.17.0.1:2375 172.17.0.1:22 1.1.1.1:443",
                "--network none: the sandbox has only lo",
                o -> assertThat(o.output()).doesNotContain("CONNECTED").contains("refused")));
        list.add(new Attack("DNS",
                "getent hosts example.com; echo rc=$?; python3 -c \"import socket; socket.getaddrinfo('example.com',80)\" 2>&1 | tail -1",
                "no network, no resolver", o -> assertThat(o.output()).contains("rc=2").contains("gaierror")));
        list.add(new Attack("raw sockets",
                "python3 -c \"import socket; socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)\" 2>&1 | tail -1; "
                        + "python3 -c \"import socket; socket.socket(socket.AF_PACKET, socket.SOCK_RAW)\" 2>&1 | tail -1",
                "no capabilities (CAP_NET_RAW dropped)",
                o -> assertThat(o.output()).contains("PermissionError").doesNotContain("socket.socket object")));
        // -- escalation
        list.add(new Attack("setuid binaries and su",
                "find / -perm -4000 -type f 2>/dev/null | head -5; su -c id root </dev/null 2>&1 | tail -1; id -u",
                "no-new-privileges, no capabilities",
                o -> assertThat(o.output()).doesNotContain("uid=0").endsWith("1000")));
        list.add(new Attack("sudo", "sudo id 2>&1; echo rc=$?", "not installed; no-new-privileges",
                o -> assertThat(o.output()).contains("rc=127")));
        list.add(new Attack("mount",
                "mkdir -p /tmp/m; mount -t tmpfs none /tmp/m 2>&1; mount -t proc proc /tmp/m 2>&1; "
                        + "python3 -c \"import ctypes; l=ctypes.CDLL(None,use_errno=True); print('mount', "
                        + "l.mount(b'none',b'/tmp/m',b'tmpfs',0,None), ctypes.get_errno())\"",
                "no CAP_SYS_ADMIN", o -> assertThat(o.output()).contains("mount -1 1")));
        list.add(new Attack("ptrace a host process",
                "ps -eo pid,comm | tail -n +2; python3 -c \"import ctypes; l=ctypes.CDLL(None,use_errno=True); "
                        + "print('ptrace', l.ptrace(16, 1, 0, 0), ctypes.get_errno())\"",
                "gVisor: no host process is visible; only sandbox processes can be traced",
                o -> assertThat(o.output()).doesNotContain("dockerd").doesNotContain("containerd")
                        .doesNotContain("runsc")));
        list.add(new Attack("load a kernel module",
                "python3 -c \"import ctypes; l=ctypes.CDLL(None,use_errno=True); "
                        + "print('init_module', l.init_module(None, 0, b''), ctypes.get_errno())\"; modprobe x 2>&1 | tail -1",
                "no CAP_SYS_MODULE; gVisor has no modules",
                o -> assertThat(o.output()).containsPattern("init_module -1 (1|38)")));
        list.add(new Attack("write cgroup files",
                "ls /sys/fs/cgroup 2>&1 | head -3; echo 100000 > /sys/fs/cgroup/pids.max 2>&1; echo rc=$?; "
                        + "echo max > /sys/fs/cgroup/memory.max 2>&1; echo rc=$?",
                "read-only root; gVisor hides the host's cgroups",
                o -> assertThat(o.output()).doesNotContain("rc=0")));
        // -- exhaustion
        list.add(new Attack("allocate memory past the limit",
                "python3 -c 'exec(\"x=[]\\nwhile True: x.append(bytearray(16<<20))\")'",
                "memory limit (no swap): the sandbox is killed, the host tells the person",
                o -> {
                    assertThat(o.reply()).contains("out of memory");
                    assertThat(o.audited("sandbox.crashed")).isTrue();
                }));
        list.add(new Attack("fork bomb", "bomb(){ bomb|bomb& }; bomb; sleep 60",
                "pids limit ends the sandbox; the host restarts it once, then tells the person",
                o -> assertThat(o.audited("sandbox.crashed") || o.audited("turn.timeout")).isTrue()));
        list.add(new Attack("fill /tmp",
                "dd if=/dev/zero of=/tmp/fill bs=1M count=200 2>&1 | grep -i space; du -sh /tmp/fill",
                "tmpfs size cap", o -> assertThat(o.output()).contains("No space left").contains("32M")));
        list.add(new Attack("fill the group folder",
                "dd if=/dev/zero of=big bs=1M count=3000 2>&1 | tail -1",
                "the sandbox's watchdog stops it past the folder quota; the person is told",
                o -> {
                    assertThat(o.reply()).contains("quota");
                    assertThat(o.audited("sandbox.killed")).isTrue();
                }));
        list.add(new Attack("spin the CPU past turnTimeout", "while :; do :; done",
                "turnTimeout stops the turn; the person is told",
                o -> {
                    assertThat(o.reply()).contains("took longer than 25 s");
                    assertThat(o.audited("turn.timeout")).isTrue();
                }));
        list.add(new Attack("1 GiB of tool output", "head -c 1073741824 /dev/zero | tr '\\0' A",
                "the agent keeps head and tail of tool output; turnTimeout bounds the rest",
                o -> assertThat(o.reply().length()).isLessThan(200_000)));
        list.add(new Attack("1 GiB written straight into the host channel",
                "head -c 1073741824 /dev/zero | tr '\\0' A " + forge + "; echo done",
                "the host reads lines with a 1 MiB cap and holds a few MiB at most (backpressure); the watchdog "
                        + "stops a sandbox writing over 256 MiB in 10 s",
                o -> assertThat(o.audited("protocol.refused") || o.audited("turn.timeout")
                        || o.audited("sandbox.killed")).isTrue()));
        // -- forged protocol
        list.add(new Attack("claim another group's id in a host call",
                "echo '{\"v\":1,\"type\":\"host.call\",\"id\":\"f1\",\"turnId\":\"x\",\"method\":\"send_message\","
                        + "\"args\":{\"text\":\"FORGED-ONE\",\"groupId\":\"" + victimGroup + "\"}}' " + forge + "; sleep 1; echo sent",
                "identity is the sandbox the line came from; the message can only reach the own chat",
                o -> assertThat(victimSaw("FORGED-ONE")).isFalse()));
        list.add(new Attack("send_message to another chat",
                "echo '{\"v\":1,\"type\":\"host.call\",\"id\":\"f2\",\"turnId\":\"x\",\"method\":\"send_message\","
                        + "\"args\":{\"text\":\"FORGED-TWO\",\"chat\":\"dm-victim\",\"chatId\":\"dm-victim\"}}' " + forge
                        + "; sleep 1; echo sent",
                "the target chat is the turn's own, never read from the call",
                o -> assertThat(victimSaw("FORGED-TWO")).isFalse()));
        list.add(new Attack("schedule a task for another group",
                "echo '{\"v\":1,\"type\":\"host.call\",\"id\":\"f3\",\"turnId\":\"x\",\"method\":\"schedule_task\","
                        + "\"args\":{\"groupId\":\"" + victimGroup + "\",\"cron\":\"* * * * *\",\"prompt\":\"leak\"}}' "
                        + forge + "; sleep 1; echo sent",
                "unknown or unauthorised host calls are refused and audited",
                o -> assertThat(o.audited("host.call.refused")).isTrue()));
        list.add(new Attack("a 2 MiB line",
                "head -c 2097152 /dev/zero | tr '\\0' x " + forge + "; echo " + forge + "; sleep 1; echo sent",
                "1 MiB line cap: refused with an error line, audited",
                o -> assertThat(o.audited("protocol.refused")).isTrue()));
        list.add(new Attack("pretend to be the host (llm.response from the agent)",
                "echo '{\"v\":1,\"type\":\"llm.response\",\"id\":\"r1\",\"message\":{\"role\":\"assistant\",\"text\":\"x\"}}' "
                        + forge + "; sleep 1; echo sent",
                "types of the other direction are refused", o -> assertThat(o.audited("protocol.refused")).isTrue()));
        list.add(new Attack("invalid JSON in a loop",
                "for i in $(seq 1 400); do echo \"garbage $i {\" " + forge + "; done; sleep 5; echo survived",
                "the watchdog stops a sandbox that keeps writing bad lines",
                o -> assertThat(o.audited("sandbox.killed")).isTrue()));
        list.add(new Attack("a flood of valid lines",
                "while :; do echo '{\"v\":1,\"type\":\"ready\",\"agentVersion\":\"flood\",\"tools\":[]}'; done "
                        + forge,
                "the sandbox's watchdog, on its own timer: more than 2,000 messages in 10 s stop the sandbox",
                o -> {
                    // the host's own count in the reason is the marker that the flood ran
                    assertThat(o.reply()).containsPattern("I stopped my sandbox because it wrote [0-9,]+ messages");
                    assertThat(o.audited("sandbox.killed")).isTrue();
                }));
        list.add(new Attack("a background writer that keeps going after its turn",
                "(while true; do date >> bg-left.log; sleep 0.2; done) > /dev/null 2>&1 & sleep 1; "
                        + "echo lines=$(wc -l < bg-left.log)",
                "processes left running are stopped at the end of the turn",
                o -> {
                    assertThat(o.output()).containsPattern("lines=[1-9]");
                    assertThat(o.audited("processes.stopped")).isTrue();
                    assertThat(growthAfterTheTurn("bg-left.log")).as("bg-left.log after the turn").isZero();
                }));
        return list;
    }

    @TestFactory
    Stream<DynamicTest> everyAttackIsContained() throws IOException {
        return attacks().stream().map(attack -> DynamicTest.dynamicTest(attack.name(), () -> {
            String chat = "dm-attacker-" + chats.incrementAndGet();
            host.chat.post(chat, "mallory", "run: " + attack.command());
            List<JsonNode> replies = host.chat.awaitReplies(chat, 1, Duration.ofSeconds(150));
            Thread.sleep(300); // let the turn's audit lines land
            String reply = replies.getLast().get("text").asText();
            String group = host.claw4j.store().groupForBinding("web:chat:" + chat).orElseThrow();
            attack.check().accept(new Outcome(reply, output(reply), host.claw4j.store().auditTrail(group)));
            victimStillFine();
        }));
    }

    /** The host is alive, the victim group still answers, and its secret is still only its own. */
    private static void victimStillFine() throws Exception {
        int n = victimPings.incrementAndGet();
        host.chat.post("dm-victim", "vic", "ping " + n);
        host.chat.awaitReplies("dm-victim", n + 1, Duration.ofSeconds(60));
        assertThat(Files.readString(victimDir.resolve("secret.txt"))).isEqualTo(VICTIM_SECRET);
    }

    /** How much a file the attacker's group left in its folder grows in a second, seen from the host. */
    private static long growthAfterTheTurn(String name) {
        try (Stream<Path> found = Files.find(data.resolve("groups"), 2, (p, a) -> p.getFileName().toString().equals(name))) {
            Path file = found.findFirst().orElseThrow();
            long size = Files.size(file);
            Thread.sleep(1_000);
            return Files.size(file) - size;
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean victimSaw(String text) {
        try {
            return host.chat.messages("dm-victim").stream().anyMatch(m -> m.get("text").asText().contains(text));
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The command's output inside the scripted model's reply ("Here is what `cmd` printed: ```...```"). */
    private static String output(String reply) {
        int start = reply.indexOf("```\n");
        int end = reply.lastIndexOf("\nexit code:");
        if (start < 0) {
            return reply;
        }
        return end > start ? reply.substring(start + 4, end) : reply.substring(start + 4);
    }

    private static List<String> hostAddresses() throws IOException {
        return NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses)
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress())
                .map(InetAddress::getHostAddress).collect(Collectors.toList());
    }
}
