package dev.claw4j.app;

import dev.claw4j.core.sandbox.SandboxLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * claw4j.yaml, as far as this version reads it. Every key is documented in config/claw4j.yaml;
 * {@link ConfigLoader} refuses unknown keys and bad values, naming the key.
 */
public record Config(Path dataDir, Sandbox sandbox) {
    public Config {
        dataDir = dataDir == null ? Path.of("data") : dataDir;
        sandbox = sandbox == null ? new Sandbox(null, null, null, null, null, null, null, null, null, null) : sandbox;
    }

    public static Config defaults() {
        return new Config(null, null);
    }

    /** The {@code sandbox:} section. Sizes like {@code 512m}, durations like {@code 10m}. */
    public record Sandbox(String runtime, Boolean requireSecondWall, String image, String memory, Double cpus,
                          Long pids, String tmpSize, String turnTimeout, String idleTimeout, Integer maxSandboxes) {
        public Sandbox {
            runtime = runtime == null ? "auto" : runtime;
            requireSecondWall = requireSecondWall != null && requireSecondWall;
            memory = memory == null ? "512m" : memory;
            cpus = cpus == null ? 1.0 : cpus;
            pids = pids == null ? 256L : pids;
            tmpSize = tmpSize == null ? "64m" : tmpSize;
            turnTimeout = turnTimeout == null ? "10m" : turnTimeout;
            idleTimeout = idleTimeout == null ? "10m" : idleTimeout;
            maxSandboxes = maxSandboxes == null ? 8 : maxSandboxes;
        }

        public SandboxLimits limits() {
            long tmp = Units.bytes("sandbox.tmpSize", tmpSize);
            return new SandboxLimits(Units.bytes("sandbox.memory", memory), cpus, pids, tmp, tmp,
                    Units.duration("sandbox.turnTimeout", turnTimeout));
        }

        public Duration idle() {
            return Units.duration("sandbox.idleTimeout", idleTimeout);
        }
    }
}
