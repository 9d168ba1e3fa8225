package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.core.store.AuditEvent;
import dev.claw4j.core.store.Store;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extra mounts are checked at every sandbox start, against the allowlist and the disk as they are then. */
class ExtraMountsTest {
    @TempDir
    Path tmp;
    private final Store store = Store.inMemory(UUID.randomUUID().toString());

    @AfterEach
    void close() {
        store.close();
    }

    private Config config(Path data, Path allowlist, Config.Mount... mounts) {
        return Config.defaults().withDataDir(data)
                .withSandbox(new Config.Sandbox(null, null, null, null, null, null, null, null, null, null, null,
                        allowlist.toString()))
                .withMounts(Map.of("g1", List.of(mounts)));
    }

    private List<String> refusals() {
        return store.audit().auditTrail("g1").stream().filter(e -> e.kind().equals("mount.refused")).map(AuditEvent::detail)
                .toList();
    }

    @Test
    void aFolderSwappedForALinkAfterStartUpIsRefusedAtTheNextStart() throws Exception {
        Path docs = Files.createDirectories(tmp.resolve("srv/docs"));
        Path secrets = Files.createDirectories(tmp.resolve("private"));
        Path allowlist = tmp.resolve("allow/mount-allowlist.yaml");
        Files.createDirectories(allowlist.getParent());
        Files.writeString(allowlist, "roots:\n  - path: " + tmp.resolve("srv") + "\n");
        var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        ExtraMounts mounts = new ExtraMounts(config(tmp.resolve("data"), allowlist,
                new Config.Mount(docs.toString(), "docs", true)), store, "test",
                new dev.claw4j.core.metrics.Metrics(meters));

        assertThat(mounts.forGroup("g1")).extracting(SandboxSpec.ExtraMount::hostPath).containsExactly(docs);
        assertThat(mounts.forGroup("other")).isEmpty();

        Files.delete(docs);
        Files.createSymbolicLink(docs, secrets);
        assertThat(mounts.forGroup("g1")).as("the sandbox starts without it").isEmpty();
        assertThat(refusals()).singleElement().asString().contains(docs + " is a link (to " + secrets + ")");

        Files.delete(docs);
        Files.createDirectories(docs);
        assertThat(mounts.forGroup("g1")).hasSize(1);
        Files.writeString(allowlist, "roots: []\n");
        assertThat(mounts.forGroup("g1")).as("the allowlist is read again at every start").isEmpty();
        assertThat(refusals()).hasSize(2).last().asString().contains("under no allowed root");

        Files.writeString(allowlist, "roots: [ {path: relative} ]\n");
        assertThat(mounts.forGroup("g1")).as("a broken allowlist allows nothing").isEmpty();
        assertThat(refusals()).hasSize(3).last().asString().contains("absolute path");
        assertThat(meters.get("claw4j.refusals").tag("kind", "mount.refused").counter().count()).isEqualTo(3);
    }

    @Test
    void nothingInsideTheDataDirectoryIsMountedEvenIfTheAllowlistSaysSo() throws Exception {
        Path data = Files.createDirectories(tmp.resolve("claw4j/data"));
        Path otherGroup = Files.createDirectories(data.resolve("groups/victim"));
        Path allowlist = tmp.resolve("allow/mount-allowlist.yaml");
        Files.createDirectories(allowlist.getParent());
        Files.writeString(allowlist, "roots:\n  - path: " + tmp.resolve("claw4j") + "\n");
        ExtraMounts mounts = new ExtraMounts(config(data, allowlist, new Config.Mount(otherGroup.toString(), "v", true),
                new Config.Mount(tmp.resolve("claw4j").toString(), "all", true)), store, "test");
        assertThat(mounts.forGroup("g1")).isEmpty();
        assertThat(refusals()).hasSize(2).allMatch(r -> r.contains("claw4j's own " + data));
    }

    @Test
    void aBrokenAllowlistStopsStartUpNamingTheFile() throws Exception {
        Path allowlist = tmp.resolve("allow/mount-allowlist.yaml");
        Files.createDirectories(allowlist.getParent());
        Files.writeString(allowlist, "rots: []\n");
        assertThatThrownBy(() -> new ExtraMounts(config(tmp.resolve("data"), allowlist,
                new Config.Mount(tmp.toString(), "x", true)), store, "test")).hasMessageContaining(allowlist.toString());
    }
}
