package dev.claw4j.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.BuildResponseItem;
import dev.claw4j.core.sandbox.SandboxException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The agent image {@code claw4j-agent:<version>}: built from {@code sandbox/image/} through docker-java,
 * on top of the offline base. It carries a label with a hash of what went into it, so it is rebuilt
 * exactly when the agent jar, the recipe, the Java runtime or the base changed, and reused otherwise.
 */
public final class AgentImage {
    public static final String VERSION = buildVersion();
    /**
     * {@code -Dclaw4j.agentImage=TAG} builds and runs another tag: for work on the image recipe while others
     * share the default one on the same daemon (tests and benches; the content label still decides rebuilds).
     */
    public static final String TAG = System.getProperty("claw4j.agentImage", "claw4j-agent:" + VERSION);
    public static final String BASE = "claw4j-base:bookworm-2";
    /** Enough for the agent runner (Jackson included); jlink keeps the image and the start small. */
    static final List<String> JRE_MODULES = List.of("java.base", "java.logging", "java.xml", "java.sql",
            "java.desktop", "jdk.unsupported", "java.management", "jdk.zipfs");

    public enum Outcome { PRESENT, BUILT }

    private AgentImage() {}

    public static boolean isPresent(DockerClient docker, String tag) {
        try {
            docker.inspectImageCmd(tag).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** Builds the image unless an image with the same content is there. */
    public static Outcome ensure(DockerClient docker, Path agentJar, Consumer<String> progress) {
        if (!Files.isRegularFile(agentJar)) {
            throw new SandboxException("agent jar " + agentJar + " not found; build it with ./mvnw -pl agent package");
        }
        String baseId;
        try {
            baseId = docker.inspectImageCmd(BASE).exec().getId();
        } catch (NotFoundException e) {
            throw new SandboxException("the base image " + BASE + " is missing; build it with "
                    + "sandbox/image/build-base.sh (root, debootstrap; about two minutes)", e);
        }
        byte[] dockerfile = resource("Dockerfile");
        String content = sha256(agentJar, dockerfile, System.getProperty("java.vm.version"), baseId);
        try {
            var existing = docker.inspectImageCmd(TAG).exec();
            Map<String, String> labels = existing.getConfig() == null ? null : existing.getConfig().getLabels();
            if (labels != null && content.equals(labels.get(Labels.CONTENT))) {
                return Outcome.PRESENT;
            }
            progress.accept("agent image " + TAG + " is out of date; rebuilding");
        } catch (NotFoundException e) {
            progress.accept("agent image " + TAG + " not found; building it");
        }
        Path context = null;
        try {
            context = Files.createTempDirectory("claw4j-image-");
            Files.write(context.resolve("Dockerfile"), dockerfile);
            Files.copy(agentJar, context.resolve("claw4j-agent.jar"));
            progress.accept("[1/2] making a Java runtime for the agent with jlink");
            jlink(context.resolve("jre"));
            progress.accept("[2/2] building " + TAG + " from " + BASE);
            String imageId = docker.buildImageCmd(context.toFile())
                    .withTags(Set.of(TAG))
                    .withLabels(Map.of(Labels.CONTENT, content))
                    .withPull(false)
                    // the recipe reaches nothing (its RUN makes the CDS archive offline): no bridge network needed
                    .withNetworkMode("none")
                    .withRemove(true)
                    .exec(new BuildImageResultCallback() {
                        @Override
                        public void onNext(BuildResponseItem item) {
                            if (item.getStream() != null && !item.getStream().isBlank()) {
                                progress.accept("      " + item.getStream().strip());
                            }
                            super.onNext(item);
                        }
                    })
                    .awaitImageId();
            progress.accept("built " + TAG + " (" + imageId.substring(0, Math.min(19, imageId.length())) + ")");
            return Outcome.BUILT;
        } catch (IOException e) {
            throw new UncheckedIOException("building the agent image: " + e.getMessage(), e);
        } finally {
            deleteQuietly(context);
        }
    }

    private static void jlink(Path output) throws IOException {
        Path jlink = Path.of(System.getProperty("java.home"), "bin", "jlink");
        if (!Files.isExecutable(jlink)) {
            throw new SandboxException("building the agent image needs a JDK (jlink), but this Java is a runtime only: "
                    + System.getProperty("java.home") + "; run claw4j with a JDK 21 or newer");
        }
        var command = List.of(jlink.toString(), "--add-modules", String.join(",", JRE_MODULES),
                "--strip-debug", "--no-header-files", "--no-man-pages", "--generate-cds-archive",
                "--output", output.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor() != 0) {
                throw new SandboxException("jlink failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SandboxException("interrupted while running jlink");
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = AgentImage.class.getResourceAsStream("image/" + name)) {
            if (in == null) {
                throw new IllegalStateException("image/" + name + " is missing from the sandbox jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha256(Path jar, byte[] dockerfile, String javaVersion, String baseId) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Files.readAllBytes(jar));
            digest.update(dockerfile);
            digest.update(String.join("\n", javaVersion, baseId, String.join(",", JRE_MODULES)).getBytes());
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String buildVersion() {
        try (InputStream in = AgentImage.class.getResourceAsStream("build.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "dev").replace("-SNAPSHOT", "");
        } catch (IOException e) {
            return "dev";
        }
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp folder left behind is harmless
        }
    }
}
