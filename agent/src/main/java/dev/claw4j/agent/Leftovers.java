package dev.claw4j.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The policy for processes a turn leaves behind: none outlives its turn. When a turn ends, before its
 * {@code turn.done}, every process in the sandbox other than this runner and its ancestors (the container's
 * init) is killed: a {@code server &} or a {@code (while true; do …; done) &} started by a tool stops with
 * the turn, whether it stayed a child of bash, was orphaned to init, or started a session of its own.
 *
 * <p>The runner does this itself rather than the host through {@code docker exec}: it is already inside, and
 * an exec costs the sandbox processes. Outside a sandbox (tests, a developer running the jar) "every other
 * process" would be the user's own, so there only processes started by this runner's tools (marked in their
 * environment by {@link #MARK}) are killed.
 */
final class Leftovers {
    /** Set in the environment of every tool process: the runner's pid. */
    static final String MARK = "CLAW4J_AGENT_PID";
    private static final int MAX_ROUNDS = 50;

    private final String scope;
    private final Predicate<ProcessHandle> candidate;

    private Leftovers(String scope, Predicate<ProcessHandle> candidate) {
        this.scope = scope;
        this.candidate = candidate;
    }

    /**
     * In the sandbox the runner is the direct child of the container's init (pid 1), and every other process
     * there is a leftover of some tool. Anywhere else, only the processes this runner's tools started.
     */
    static Leftovers forThisRunner() {
        boolean inSandbox = ProcessHandle.current().parent().map(p -> p.pid() == 1).orElse(false);
        return inSandbox ? everyOtherProcess() : startedByThisRunner();
    }

    static Leftovers everyOtherProcess() {
        return new Leftovers("every process of the sandbox", p -> true);
    }

    static Leftovers startedByThisRunner() {
        String mark = MARK + "=" + ProcessHandle.current().pid();
        return new Leftovers("processes started by this runner's tools", p -> environmentHas(p.pid(), mark));
    }

    /** Kills the leftovers, over a few rounds for those that fork as they die; returns what it killed. */
    List<String> stop() {
        Set<Long> spared = new HashSet<>();
        ProcessHandle self = ProcessHandle.current();
        for (ProcessHandle p = self; p != null; p = p.parent().orElse(null)) {
            spared.add(p.pid());
        }
        List<String> killed = new ArrayList<>();
        Set<Long> seen = new HashSet<>();
        for (int round = 0; round < MAX_ROUNDS; round++) {
            List<ProcessHandle> left = ProcessHandle.allProcesses()
                    .filter(p -> !spared.contains(p.pid()) && !zombie(p.pid()) && candidate.test(p))
                    .toList();
            if (left.isEmpty()) {
                return killed;
            }
            for (ProcessHandle p : left) {
                String name = name(p);
                if (!p.destroyForcibly()) {
                    spared.add(p.pid()); // not ours to kill (another user's): nothing more to try
                } else if (seen.add(p.pid())) {
                    killed.add(name + " (" + p.pid() + ")");
                }
            }
            try {
                Thread.sleep(Math.min(5L << round, 100));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Log.warn("processes kept appearing while the turn's leftovers were stopped (" + scope + "); some may run on");
        return killed;
    }

    String scope() {
        return scope;
    }

    /** The program's name, for the log and the audit trail. */
    private static String name(ProcessHandle p) {
        return p.info().command().map(c -> c.substring(c.lastIndexOf('/') + 1)).orElseGet(() -> {
            try {
                // gVisor does not show another process's executable; its comm is there
                return Files.readString(Path.of("/proc", Long.toString(p.pid()), "comm")).strip();
            } catch (IOException | RuntimeException e) {
                return "?";
            }
        });
    }

    /** A process that has ended and waits for its parent to reap it: nothing left to kill. */
    private static boolean zombie(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.ISO_8859_1);
            // pid (comm) state ...; comm may contain spaces and parentheses, so look after the last ')'
            int end = stat.lastIndexOf(')');
            return end > 0 && end + 2 < stat.length() && (stat.charAt(end + 2) == 'Z' || stat.charAt(end + 2) == 'X');
        } catch (IOException | RuntimeException e) {
            return false; // no /proc, or gone already: destroyForcibly copes either way
        }
    }

    private static boolean environmentHas(long pid, String entry) {
        try {
            byte[] environ = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
            for (String e : new String(environ, StandardCharsets.ISO_8859_1).split("\0")) {
                if (e.equals(entry)) {
                    return true;
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false; // not ours to read, or gone
        }
    }
}
