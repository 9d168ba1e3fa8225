package dev.claw4j.sandbox.kubernetes;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The manifests under deploy/kubernetes, read into fabric8's typed objects (CRDs' as generic resources). */
final class DeployManifests {

    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private DeployManifests() {}

    /** deploy/kubernetes of this checkout, found from the working directory up (Maven runs tests in the module). */
    static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("deploy/kubernetes");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("no deploy/kubernetes above " + Path.of("").toAbsolutePath()
                + ": run the tests from inside the claw4j checkout");
    }

    /** Every manifest file in {@code dir} (*.yaml but kustomization.yaml), by name. */
    static List<Path> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The objects of one file, in order; a file of comments only would be an empty list. */
    static List<HasMetadata> load(Path file) {
        if (Files.isDirectory(file)) {
            List<HasMetadata> all = new ArrayList<>();
            files(file).forEach(f -> all.addAll(load(f)));
            return all;
        }
        try (InputStream in = Files.newInputStream(file)) {
            Object parsed = SERIALIZATION.unmarshal(in);
            List<HasMetadata> objects = new ArrayList<>();
            if (parsed instanceof List<?> list) {
                for (Object o : list) {
                    objects.add(object(file, o));
                }
            } else if (parsed != null) {
                objects.add(object(file, parsed));
            }
            return objects;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static HasMetadata object(Path file, Object o) {
        if (o instanceof HasMetadata h) {
            return h;
        }
        throw new IllegalStateException(file + " holds a " + (o == null ? "null" : o.getClass().getSimpleName())
                + " that is not a Kubernetes object: every document needs apiVersion, kind and metadata");
    }
}
