package dev.claw4j.sandbox;

import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.SandboxException;
import java.util.List;
import java.util.Set;

/**
 * Chooses the OCI runtime from what the Docker daemon has registered. {@code auto} takes the strongest:
 * a microVM (Kata, Firecracker) over gVisor over a plain container.
 */
public final class RuntimeSelector {
    /** Strongest first. */
    private static final List<String> PREFERENCE = List.of("kata-fc", "kata", "kata-qemu", "kata-clh",
            "kata-runtime", "runsc", "runc");

    private RuntimeSelector() {}

    public static Isolation choose(Set<String> available, String requested, boolean requireSecondWall) {
        String runtime;
        if (requested == null || requested.isBlank() || requested.equals("auto")) {
            runtime = PREFERENCE.stream().filter(available::contains).findFirst()
                    .orElseThrow(() -> new SandboxException("the Docker daemon lists none of the runtimes claw4j knows "
                            + PREFERENCE + " (it has " + available + "); install runsc (gVisor) and register it, "
                            + "or set sandbox.runtime to one of the daemon's runtimes"));
        } else {
            if (!available.contains(requested)) {
                throw new SandboxException("sandbox.runtime is '" + requested + "' but the Docker daemon has only "
                        + available + "; register it in /etc/docker/daemon.json (see README) or set sandbox.runtime: auto");
            }
            runtime = requested;
        }
        Isolation isolation = new Isolation(runtime, kindOf(runtime));
        if (requireSecondWall && !isolation.hasSecondWall()) {
            throw new SandboxException("sandbox.requireSecondWall is true but the runtime in force is " + runtime
                    + ", a plain container with no second wall; install gVisor (apt-get install runsc, then "
                    + "scripts/setup-docker.sh registers it) or Kata, or set requireSecondWall: false");
        }
        return isolation;
    }

    static Isolation.Kind kindOf(String runtime) {
        if (runtime.startsWith("kata")) {
            return Isolation.Kind.MICROVM;
        }
        if (runtime.equals("runsc") || runtime.startsWith("runsc-") || runtime.equals("gvisor")) {
            return Isolation.Kind.GVISOR;
        }
        return Isolation.Kind.CONTAINER;
    }
}
