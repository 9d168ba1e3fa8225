package dev.claw4j.app;

import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.core.store.Store;
import dev.claw4j.sandbox.MountAllowlist;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The extra mounts groups ask for in config ({@code mounts:}), each checked against the mount allowlist once. */
final class ExtraMounts {
    private static final Logger log = LoggerFactory.getLogger(ExtraMounts.class);

    private ExtraMounts() {}

    static Map<String, List<SandboxSpec.ExtraMount>> resolve(Config config, Store store, String isolation) {
        if (config.mounts().isEmpty()) {
            return Map.of();
        }
        MountAllowlist allowlist = MountAllowlist.load(config.sandbox().mountAllowlistFile());
        Map<String, List<SandboxSpec.ExtraMount>> byGroup = new HashMap<>();
        config.mounts().forEach((group, requests) -> {
            List<SandboxSpec.ExtraMount> allowed = new ArrayList<>();
            for (Config.Mount r : requests) {
                switch (allowlist.check(new MountAllowlist.Request(r.path(), r.name(), r.readOnly()))) {
                    case MountAllowlist.Decision.Allowed a -> {
                        allowed.add(a.mount());
                        log.info("[{}] mounts {} at /workspace/extra/{} ({})", group, a.mount().hostPath(),
                                a.mount().name(), a.mount().readOnly() ? "read-only" : "read-write");
                    }
                    case MountAllowlist.Decision.Refused refused -> {
                        log.warn("[{}] mount refused: {}", group, refused.reason());
                        store.audit(group, "mount.refused", refused.reason(), isolation);
                    }
                }
            }
            byGroup.put(group, List.copyOf(allowed));
        });
        return byGroup;
    }
}
