package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void linksAreResolvedBeforeChecking() throws IOException {
        Path outside = dir("private/data");
        Path root = dir("srv/docs");
        Files.createSymbolicLink(root.resolve("sneaky"), outside);
        Files.createSymbolicLink(root.resolve("keys"), dir("home/bob/.ssh"));
        MountAllowlist list = allowlist("roots:\n  - path: " + root + "\n");
        assertThat(reason(list.check(new MountAllowlist.Request(root.resolve("sneaky").toString(), "s", true))))
                .contains("under no allowed root").contains("private/data");
        assertThat(reason(list.check(new MountAllowlist.Request(root.resolve("keys").toString(), "k", true))))
                .contains(".ssh");
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
