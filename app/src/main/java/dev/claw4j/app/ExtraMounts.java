package dev.claw4j.app;

import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.core.store.Store;
import dev.claw4j.sandbox.MountAllowlist;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The extra mounts groups ask for in config ({@code mounts:}), checked each time a group's sandbox starts: the
 * mount allowlist is read again then, and every path is checked as it is on disk at that moment (a folder that
 * became a link since start-up is refused). A refused mount is logged and audited, and the sandbox starts
 * without it.
 */
final class ExtraMounts {
    private static final Logger log = LoggerFactory.getLogger(ExtraMounts.class);

    private final Config config;
    private final Store store;
    private final String isolation;
    private final List<Path> ownPaths;
    private final Metrics metrics;

    /** Reads the allowlist once now, so a broken file stops start-up with a message naming it. */
    ExtraMounts(Config config, Store store, String isolation) {
        this(config, store, isolation, Metrics.none());
    }

    ExtraMounts(Config config, Store store, String isolation, Metrics metrics) {
        this.metrics = metrics;
        this.config = config;
        this.store = store;
        this.isolation = isolation;
        this.ownPaths = List.of(config.dataDir(), config.cluster().foldersRoot(config.dataDir()),
                ConfigOption.loadedFile());
        if (!config.mounts().isEmpty()) {
            MountAllowlist.load(config.sandbox().mountAllowlistFile(), ownPaths);
        }
    }

    /** The group's extra mounts the allowlist allows now. */
    List<SandboxSpec.ExtraMount> forGroup(String group) {
        List<Config.Mount> requests = config.mounts().getOrDefault(group, List.of());
        if (requests.isEmpty()) {
            return List.of();
        }
        MountAllowlist allowlist;
        try {
            allowlist = MountAllowlist.load(config.sandbox().mountAllowlistFile(), ownPaths);
        } catch (IllegalArgumentException e) {
            refused(group, e.getMessage() + " (no extra mounts for this start)");
            return List.of();
        }
        List<SandboxSpec.ExtraMount> allowed = new ArrayList<>();
        for (Config.Mount r : requests) {
            switch (allowlist.check(new MountAllowlist.Request(r.path(), r.name(), r.readOnly()))) {
                case MountAllowlist.Decision.Allowed a -> {
                    allowed.add(a.mount());
                    log.info("[{}] mounts {} at /workspace/extra/{} ({})", group, a.mount().hostPath(),
                            a.mount().name(), a.mount().readOnly() ? "read-only" : "read-write");
                }
                case MountAllowlist.Decision.Refused refused -> refused(group, refused.reason());
            }
        }
        return List.copyOf(allowed);
    }

    private void refused(String group, String reason) {
        log.warn("[{}] mount refused, the sandbox starts without it: {}", group, reason);
        store.audit().record(group, "mount.refused", reason, isolation);
        metrics.refused("mount.refused");
    }
}
