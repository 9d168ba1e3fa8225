package dev.claw4j.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

/**
 * CPU time read from Linux, in nanoseconds: a Docker container's cgroup (everything gVisor runs for it: the
 * sentry, the gofer, the agent JVM's threads), a process from {@code /proc/<pid>/stat}, and the container
 * runtime's daemons. Each returns -1 when it cannot read (not Linux, another cgroup layout): the bench then
 * prints no figure rather than a wrong one.
 */
final class CpuProbe {
    private static final long TICK_NANOS = 10_000_000; // USER_HZ is 100 on Linux

    private CpuProbe() {
    }

    /** The container's cgroup CPU: cgroup v1 (cgroupfs driver) or v2 (systemd driver). */
    static long container(String id) {
        try {
            Path v1 = Path.of("/sys/fs/cgroup/cpuacct/docker", id, "cpuacct.usage");
            if (Files.exists(v1)) {
                return Long.parseLong(Files.readString(v1).strip());
            }
            for (Path v2 : List.of(Path.of("/sys/fs/cgroup/system.slice/docker-" + id + ".scope/cpu.stat"),
                    Path.of("/sys/fs/cgroup/docker", id, "cpu.stat"))) {
                if (Files.exists(v2)) {
                    for (String line : Files.readAllLines(v2)) {
                        if (line.startsWith("usage_usec ")) {
                            return Long.parseLong(line.substring(11).strip()) * 1000;
                        }
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not readable here
        }
        return -1;
    }

    /** user + system time of a process, and of its children it has waited for when {@code children}. */
    static long process(long pid, boolean children) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // after the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (children) {
                ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return ticks * TICK_NANOS;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The containerd shim that runs the container (its runsc create/start/wait children included). */
    static OptionalLong shimOf(String containerId) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String cmd = Files.readString(p.resolve("cmdline"), StandardCharsets.ISO_8859_1);
                    return cmd.contains("containerd-shim") && cmd.contains("\0" + containerId + "\0");
                } catch (IOException | RuntimeException e) {
                    return false;
                }
            }).mapToLong(p -> Long.parseLong(p.getFileName().toString())).findFirst();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * dockerd and containerd of the machine's Docker (the dockerd whose parent is init, and its containerd), with
     * their waited-for children. They serve every container on the machine, not only the bench's.
     */
    static long daemons() {
        long total = 0;
        boolean found = false;
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : procs.filter(x -> x.getFileName().toString().matches("\\d+")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString());
                String comm = comm(pid);
                if (comm.equals("dockerd") && parent(pid) == 1) {
                    total += process(pid, true);
                    found = true;
                } else if (comm.equals("containerd") && comm(parent(pid)).equals("dockerd") && parent(parent(pid)) == 1) {
                    total += process(pid, true);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return found ? total : -1;
    }

    private static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return "";
        }
    }

    private static long parent(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            return Long.parseLong(stat.substring(stat.lastIndexOf(')') + 2).split(" ")[1]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
