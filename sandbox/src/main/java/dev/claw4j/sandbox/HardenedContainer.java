package dev.claw4j.sandbox;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Volume;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The one place that says how a sandbox is locked down: every default of DESIGN.md's sandbox table.
 * Kept free of I/O so a test can read the whole policy off the objects it builds.
 */
final class HardenedContainer {
    static final String USER = "1000:1000";
    static final String GROUP_MOUNT = "/workspace/group";
    static final String GLOBAL_MOUNT = "/workspace/global";
    static final String EXTRA_MOUNT_ROOT = "/workspace/extra/";
    static final String HOME = "/home/agent";

    /** The only environment a sandbox gets: nothing from the host, so no secret can leak through it. */
    static final List<String> ENV = List.of(
            "HOME=" + HOME,
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG=C.UTF-8",
            "CLAW4J_WORKSPACE=/workspace");

    private HardenedContainer() {}

    static HostConfig hostConfig(String runtime, SandboxSpec spec) {
        SandboxLimits limits = spec.limits();
        List<Bind> binds = new ArrayList<>();
        binds.add(new Bind(spec.groupDir().toAbsolutePath().toString(), new Volume(GROUP_MOUNT), AccessMode.rw));
        if (spec.globalDir() != null) {
            binds.add(new Bind(spec.globalDir().toAbsolutePath().toString(), new Volume(GLOBAL_MOUNT), AccessMode.ro));
        }
        for (SandboxSpec.ExtraMount m : spec.extraMounts()) {
            binds.add(new Bind(m.hostPath().toString(), new Volume(EXTRA_MOUNT_ROOT + m.name()),
                    m.readOnly() ? AccessMode.ro : AccessMode.rw));
        }
        return HostConfig.newHostConfig()
                .withRuntime(runtime)
                .withNetworkMode("none")
                .withMemory(limits.memoryBytes())
                .withMemorySwap(limits.memoryBytes()) // equal to memory: no swap on top
                .withNanoCPUs(Math.round(limits.cpus() * 1_000_000_000L))
                .withPidsLimit(limits.pids())
                .withReadonlyRootfs(true)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withTmpFs(Map.of(
                        "/tmp", "rw,nosuid,nodev,size=" + limits.tmpBytes() + ",mode=1777",
                        HOME, "rw,nosuid,nodev,size=" + limits.homeBytes() + ",uid=1000,gid=1000,mode=0700"))
                .withBinds(binds)
                .withPrivileged(false)
                // a tiny init as PID 1 reaps orphaned tool processes, which would otherwise pile up as zombies
                .withInit(true)
                // the host reads stdio through the attach stream (bounded); a Docker log file of it would be an
                // unbounded copy of whatever the agent writes, on the host's disk
                .withLogConfig(new LogConfig(LogConfig.LoggingType.NONE));
    }

}
