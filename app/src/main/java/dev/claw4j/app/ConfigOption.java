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

    Config load() {
        Path chosen = file != null ? file : home().resolve("config/claw4j.yaml");
        Config config = file == null && !Files.exists(chosen) ? Config.defaults() : new ConfigLoader().load(chosen);
        return config.withDataDir(home().resolve(config.dataDir()).normalize());
    }
}
