package dev.claw4j.app;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by every command that needs the config. */
final class ConfigOption {
    @Option(names = "--config", paramLabel = "FILE",
            description = "config file (default: config/claw4j.yaml in the claw4j folder)")
    Path file;

    /** The claw4j folder: where the launcher script lives. Relative paths in config are relative to it. */
    static Path home() {
        return Path.of(System.getProperty("claw4j.home", ".")).toAbsolutePath().normalize();
    }

    /**
     * The config file this process read (the default one when it read none): claw4j's own, which no sandbox may
     * mount. Kept as a system property, like {@code claw4j.home}.
     */
    static Path loadedFile() {
        String loaded = System.getProperty("claw4j.config");
        return loaded != null ? Path.of(loaded) : home().resolve("config/claw4j.yaml");
    }

    Config load() {
        Path chosen = file != null ? file : home().resolve("config/claw4j.yaml");
        System.setProperty("claw4j.config", chosen.toAbsolutePath().normalize().toString());
        Config config = file == null && !Files.exists(chosen) ? Config.defaults() : new ConfigLoader().load(chosen);
        return config.withDataDir(home().resolve(config.dataDir()).normalize());
    }
}
