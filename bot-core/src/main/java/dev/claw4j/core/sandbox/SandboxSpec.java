package dev.claw4j.core.sandbox;

import java.nio.file.Path;
import java.util.List;

/**
 * What one group's sandbox gets. The group folder is mounted read-write at {@code /workspace/group},
 * the shared folder (if any) read-only at {@code /workspace/global}; extra mounts must already have
 * passed the mount allowlist.
 */
public record SandboxSpec(String groupId, Path groupDir, Path globalDir, SandboxLimits limits,
                          List<ExtraMount> extraMounts) {
    public SandboxSpec {
        GroupIds.requireValid(groupId);
        extraMounts = extraMounts == null ? List.of() : List.copyOf(extraMounts);
    }

    public SandboxSpec(String groupId, Path groupDir, Path globalDir, SandboxLimits limits) {
        this(groupId, groupDir, globalDir, limits, List.of());
    }

    /** A host path mounted at {@code /workspace/extra/<name>}. */
    public record ExtraMount(Path hostPath, String name, boolean readOnly) {}
}
