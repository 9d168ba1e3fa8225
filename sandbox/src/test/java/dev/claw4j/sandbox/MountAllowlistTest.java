package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MountAllowlistTest {
    @TempDir
    Path tmp;

    private MountAllowlist allowlist(String yaml) throws IOException {
        Path file = tmp.resolve("config/mount-allowlist.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, yaml);
        return MountAllowlist.load(file);
    }

    private Path dir(String relative) throws IOException {
        return Files.createDirectories(tmp.resolve(relative));
    }

    private static String reason(MountAllowlist.Decision d) {
        assertThat(d).isInstanceOf(MountAllowlist.Decision.Refused.class);
        return ((MountAllowlist.Decision.Refused) d).reason();
    }

    @Test
    void noFileMeansNoExtraMounts() throws IOException {
        MountAllowlist none = MountAllowlist.load(tmp.resolve("nowhere/missing.yaml"));
        assertThat(reason(none.check(new MountAllowlist.Request(dir("docs").toString(), "docs", true))))
                .contains("no extra mounts are allowed");
    }

    @Test
    void allowsWhatIsUnderAnAllowedRootReadOnlyUnlessTheRootSaysOtherwise() throws IOException {
        Path docs = dir("srv/docs/team");
        Path scratch = dir("srv/scratch/a");
        MountAllowlist list = allowlist("roots:\n  - path: " + tmp.resolve("srv/docs") + "\n  - path: "
                + tmp.resolve("srv/scratch") + "\n    readWrite: true\n");
        var ro = list.check(new MountAllowlist.Request(docs.toString(), "docs", true));
        assertThat(ro).isInstanceOf(MountAllowlist.Decision.Allowed.class);
        assertThat(reason(list.check(new MountAllowlist.Request(docs.toString(), "docs", false))))
                .contains("only be mounted read-only");
        assertThat(list.check(new MountAllowlist.Request(scratch.toString(), "scratch", false)))
                .isInstanceOf(MountAllowlist.Decision.Allowed.class);
        assertThat(reason(list.check(new MountAllowlist.Request(dir("elsewhere").toString(), "x", true))))
                .contains("under no allowed root");
    }

    @Test
    void secretLookingPathsAreRefusedWhateverTheFileSays() throws IOException {
        dir("home/ana/.ssh");
        dir("home/ana/project/.aws");
        Files.writeString(dir("home/ana/app").resolve(".env"), "KEY=1");
        MountAllowlist list = allowlist("roots:\n  - path: " + tmp.resolve("home") + "\n    readWrite: true\n");
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.resolve("home/ana/.ssh").toString(), "k", true))))
                .contains(".ssh");
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.resolve("home/ana").toString(), "home", true))))
                .contains("contains .ssh");
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.resolve("home/ana/app").toString(), "app", true))))
                .contains(".env");
        assertThat(MountAllowlist.isBlocked("id_rsa.pub")).isTrue();
        assertThat(MountAllowlist.isBlocked("server.pem")).isTrue();
        assertThat(MountAllowlist.isBlocked("notes.md")).isFalse();
    }

    @Test
    void aLinkOnAnyComponentOfThePathIsRefused() throws IOException {
        Path outside = dir("private/data");
        Path root = dir("srv/docs");
        Files.writeString(dir("srv/docs/real").resolve("a.md"), "a");
        Files.createSymbolicLink(root.resolve("sneaky"), outside);
        Files.createSymbolicLink(root.resolve("keys"), dir("home/bob/.ssh"));
        // a link inside the allowed root that points inside it too: still not the path the config names
        Files.createSymbolicLink(root.resolve("alias"), root.resolve("real"));
        Files.createSymbolicLink(tmp.resolve("srvlink"), tmp.resolve("srv"));
        MountAllowlist list = allowlist("roots:\n  - path: " + root + "\n");
        assertThat(list.check(new MountAllowlist.Request(root.resolve("real").toString(), "r", true)))
                .as("the real path is allowed").isInstanceOf(MountAllowlist.Decision.Allowed.class);
        assertThat(reason(list.check(new MountAllowlist.Request(root.resolve("sneaky").toString(), "s", true))))
                .contains(root.resolve("sneaky") + " is a link (to " + outside + ")");
        assertThat(reason(list.check(new MountAllowlist.Request(root.resolve("keys").toString(), "k", true))))
                .contains("is a link");
        assertThat(reason(list.check(new MountAllowlist.Request(root.resolve("alias").toString(), "a", true))))
                .contains("is a link").contains("write the real path (" + root.resolve("real") + ")");
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.resolve("srvlink/docs/real").toString(), "m", true))))
                .as("a link early in the path").contains(tmp.resolve("srvlink") + " is a link");
        assertThat(reason(list.check(new MountAllowlist.Request(root + "/real/../real", "d", true))))
                .contains(". or ..");
        assertThat(reason(list.check(new MountAllowlist.Request("srv/docs/real", "rel", true))))
                .contains("does not exist").as("relative paths never resolve against the host's working folder");
    }

    @Test
    void claw4jsOwnPathsAreNeverMounted() throws IOException {
        Path data = dir("srv/claw4j/data");
        Files.writeString(data.resolve("install-id"), "x");
        Path config = dir("srv/claw4j/config").resolve("prod.yaml");
        Files.writeString(config, "dataDir: x");
        Path file = tmp.resolve("allow/mount-allowlist.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "roots:\n  - path: " + tmp.resolve("srv") + "\n");
        MountAllowlist list = MountAllowlist.load(file, List.of(data, config));
        assertThat(list.check(new MountAllowlist.Request(dir("srv/docs").toString(), "docs", true)))
                .isInstanceOf(MountAllowlist.Decision.Allowed.class);
        assertThat(reason(list.check(new MountAllowlist.Request(data.toString(), "d", true))))
                .contains("is inside claw4j's own " + data);
        assertThat(reason(list.check(new MountAllowlist.Request(dir("srv/claw4j/data/groups/g1").toString(), "g", true))))
                .as("another group's folder").contains("is inside claw4j's own " + data);
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.resolve("srv/claw4j").toString(), "c", true))))
                .contains("holds claw4j's own");
        assertThat(reason(list.check(new MountAllowlist.Request(config.getParent().toString(), "cfg", true))))
                .contains("holds claw4j's own " + config);
        // and by name, wherever a copy of them sits
        for (String name : List.of("admin-token", "db-password", "claw4j.mv.db", "claw4j.yaml", ".git-credentials",
                ".pgpass")) {
            Path holder = dir("srv/copies-" + name.replace('.', '_'));
            Files.writeString(holder.resolve(name), "secret");
            assertThat(reason(list.check(new MountAllowlist.Request(holder.toString(), "x", true)))).contains(name);
        }
        dir("srv/home/.config/app");
        dir("srv/home2/.kube");
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.resolve("srv/home/.config/app").toString(), "x",
                true)))).contains("'.config'");
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.resolve("srv/home2").toString(), "x", true))))
                .contains(".kube");
    }

    @Test
    void anAllowlistOthersMayWriteAllowsNothing() throws IOException {
        Path file = tmp.resolve("allow/mount-allowlist.yaml");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "roots:\n  - path: " + tmp.resolve("srv") + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThatThrownBy(() -> MountAllowlist.load(file)).hasMessageContaining("chmod go-w");
    }

    @Test
    void theAllowlistsOwnFolderCanNeverBeMounted() throws IOException {
        MountAllowlist list = allowlist("roots:\n  - path: " + tmp + "\n");
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.resolve("config").toString(), "c", true))))
                .contains("mount allowlist itself");
        assertThat(reason(list.check(new MountAllowlist.Request(tmp.toString(), "all", true))))
                .contains("mount allowlist itself");
    }

    @Test
    void badFilesAndNamesAreClearErrors() throws IOException {
        assertThatThrownBy(() -> allowlist("roots:\n  - path: relative/path\n")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> allowlist("rots: []\n")).hasMessageContaining("mount allowlist");
        MountAllowlist list = allowlist("roots:\n  - path: " + tmp + "/srv\n");
        assertThat(reason(list.check(new MountAllowlist.Request(dir("srv/x").toString(), "Bad Name", true))))
                .contains("mount name");
    }
}
