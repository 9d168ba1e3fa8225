package dev.claw4j.sandbox;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.claw4j.core.sandbox.SandboxSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Decides which extra host folders a group's sandbox may mount. The list lives in a file outside the
 * project (default {@code ~/.config/claw4j/mount-allowlist.yaml}) that is never mounted into any sandbox;
 * no file means no extra mounts. It is read, and every mount checked, each time a sandbox starts. A path is
 * refused when any of its components is a link (what is mounted must be what the config says, not what a link
 * points to today), when it is claw4j's own (its data directory, its config, or inside or around them), and
 * when it looks like it holds secrets, whatever the file says.
 */
public final class MountAllowlist {
    /** Names no mount may be, contain, or sit under: no allowlist can override these. */
    static final Set<String> BLOCKED = Set.of(".ssh", ".gnupg", ".aws", ".azure", ".gcloud", ".kube", ".docker",
            ".config", ".git-credentials", ".pgpass", "credentials", ".env", ".netrc", ".npmrc", ".pypirc", "id_rsa",
            "id_ed25519", "private_key", ".secret", "docker.sock",
            // claw4j's own: its admin token, its database and that database's password, its config
            "admin-token", "db-password", "claw4j.yaml");
    private static final Pattern BLOCKED_PREFIX = Pattern.compile(
            "^(\\.env\\..*|id_rsa.*|id_ed25519.*|.*\\.pem|.*\\.key|.*\\.mv\\.db)$");
    private static final int SCAN_DEPTH = 3;
    private static final int SCAN_LIMIT = 20_000;

    /** One root the admin allows, read-only unless {@code readWrite}. */
    public record Root(Path path, boolean readWrite) {}

    /** What the file holds: {@code roots: [{path: /srv/docs, readWrite: false}]}. */
    record FileFormat(List<RootEntry> roots) {
        record RootEntry(String path, Boolean readWrite) {}
    }

    /** A request to mount {@code hostPath} at {@code /workspace/extra/<name>}. */
    public record Request(String hostPath, String name, boolean readOnly) {}

    /** The outcome of a request: a mount, or why not. */
    public sealed interface Decision {
        record Allowed(SandboxSpec.ExtraMount mount) implements Decision {}

        record Refused(String reason) implements Decision {}
    }

    private final List<Root> roots;
    private final Path file;
    private final List<Path> ownPaths;

    private MountAllowlist(List<Root> roots, Path file, List<Path> ownPaths) {
        this.roots = List.copyOf(roots);
        this.file = file;
        this.ownPaths = List.copyOf(ownPaths);
    }

    public static Path defaultFile() {
        return Path.of(System.getProperty("user.home"), ".config", "claw4j", "mount-allowlist.yaml");
    }

    /** Reads the file; a missing file is an empty list (no extra mounts). */
    public static MountAllowlist load(Path file) {
        return load(file, List.of());
    }

    /**
     * Reads the file; a missing file is an empty list (no extra mounts). {@code ownPaths} are claw4j's own (its data
     * directory, its config file): no mount may be one of them, inside one, or contain one.
     */
    public static MountAllowlist load(Path file, List<Path> ownPaths) {
        if (!Files.exists(file)) {
            return new MountAllowlist(List.of(), file, ownPaths);
        }
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                throw new IllegalArgumentException("the mount allowlist " + file + " may be changed by other users of "
                        + "this machine (" + PosixFilePermissions.toString(perms) + "), so it allows nothing; "
                        + "make it writable by its owner only: chmod go-w " + file);
            }
            FileFormat format = new ObjectMapper(new YAMLFactory())
                    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                    .readValue(file.toFile(), FileFormat.class);
            List<Root> roots = new ArrayList<>();
            for (FileFormat.RootEntry e : format == null || format.roots() == null ? List.<FileFormat.RootEntry>of()
                    : format.roots()) {
                if (e.path() == null || !Path.of(e.path()).isAbsolute()) {
                    throw new IllegalArgumentException(file + ": every root needs an absolute path, got " + e.path());
                }
                roots.add(new Root(Path.of(e.path()), Boolean.TRUE.equals(e.readWrite())));
            }
            return new MountAllowlist(roots, file, ownPaths);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the mount allowlist " + file + ": " + e.getMessage()
                    + "; fix it or remove it (no file means no extra mounts)", e);
        }
    }

    public List<Root> roots() {
        return roots;
    }

    public Decision check(Request request) {
        if (request.name() == null || !request.name().matches("[a-z0-9][a-z0-9_-]{0,40}")) {
            return new Decision.Refused("mount name '" + request.name() + "' must be 1-41 of a-z, 0-9, '-', '_'");
        }
        Path configured;
        Path real;
        try {
            configured = Path.of(request.hostPath());
            real = configured.toRealPath();
        } catch (IOException | RuntimeException e) {
            return new Decision.Refused(request.hostPath() + " does not exist or cannot be read");
        }
        Optional<String> link = linkIn(configured, real);
        if (link.isPresent()) {
            return new Decision.Refused(request.hostPath() + " is refused: " + link.get() + "; write the real path ("
                    + real + ") in the config, so what is mounted is what the config says");
        }
        for (Path own : ownPaths) {
            Path ownReal = realOrAbsolute(own);
            if (real.startsWith(ownReal) || ownReal.startsWith(real)) {
                return new Decision.Refused(real + " is refused: it " + (real.startsWith(ownReal) ? "is inside" : "holds")
                        + " claw4j's own " + ownReal + " (the database, tokens and every group's files live there)");
            }
        }
        Optional<String> blocked = blockedPart(real);
        if (blocked.isPresent()) {
            return new Decision.Refused(real + " is refused: '" + blocked.get() + "' looks like it holds secrets "
                    + "(no allowlist can allow that)");
        }
        if (file != null && (real.startsWith(file.toAbsolutePath().getParent()) || file.toAbsolutePath().startsWith(real))) {
            return new Decision.Refused(real + " is refused: it holds the mount allowlist itself");
        }
        Optional<String> inside = blockedInside(real);
        if (inside.isPresent()) {
            return new Decision.Refused(real + " is refused: it contains " + inside.get()
                    + ", which looks like it holds secrets; mount a folder without it");
        }
        for (Root root : roots) {
            Path rootReal;
            try {
                rootReal = root.path().toRealPath();
            } catch (IOException e) {
                continue;
            }
            if (real.startsWith(rootReal)) {
                if (!request.readOnly() && !root.readWrite()) {
                    return new Decision.Refused(real + " may only be mounted read-only (root " + rootReal
                            + " is not readWrite in " + file + ")");
                }
                return new Decision.Allowed(new SandboxSpec.ExtraMount(real, request.name(), request.readOnly()));
            }
        }
        return new Decision.Refused(real + " is under no allowed root" + (roots.isEmpty()
                ? " (there is no mount allowlist at " + file + ", so no extra mounts are allowed)"
                : " in " + file));
    }

    /**
     * Why the configured path is not its own real path: relative, with {@code .} or {@code ..}, or a link on one of
     * its components (checked one by one, not following links).
     */
    private static Optional<String> linkIn(Path configured, Path real) {
        if (!configured.isAbsolute()) {
            return Optional.of("it is not an absolute path");
        }
        if (!configured.equals(configured.normalize())) {
            return Optional.of("it has . or .. in it");
        }
        Path prefix = configured.getRoot();
        for (Path part : configured) {
            prefix = prefix.resolve(part);
            if (Files.isSymbolicLink(prefix)) {
                String target;
                try {
                    target = Files.readSymbolicLink(prefix).toString();
                } catch (IOException e) {
                    target = "?";
                }
                return Optional.of(prefix + " is a link (to " + target + ")");
            }
        }
        return configured.equals(real) ? Optional.empty() : Optional.of("its real path is " + real);
    }

    private static Path realOrAbsolute(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p.toAbsolutePath().normalize();
        }
    }

    private static Optional<String> blockedPart(Path real) {
        for (Path part : real) {
            if (isBlocked(part.toString())) {
                return Optional.of(part.toString());
            }
        }
        return Optional.empty();
    }

    /** A folder that holds a secret-looking entry (a home folder with .ssh, say) is refused too. */
    private static Optional<String> blockedInside(Path real) {
        if (!Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        try (Stream<Path> walk = Files.walk(real, SCAN_DEPTH)) { // links are not followed
            return walk.limit(SCAN_LIMIT).skip(1)
                    .filter(p -> isBlocked(p.getFileName().toString()))
                    .map(p -> real.relativize(p).toString()).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.of("entries that cannot be read");
        }
    }

    static boolean isBlocked(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return BLOCKED.contains(lower) || BLOCKED_PREFIX.matcher(lower).matches();
    }
}
