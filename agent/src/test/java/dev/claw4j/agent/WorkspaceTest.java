package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {
    @TempDir
    Path root;
    @TempDir
    Path elsewhere;

    @Test
    void relativePathsResolveInTheGroupFolder() throws Exception {
        Workspace workspace = new ToolTesting(root).workspace;
        assertThat(workspace.resolve("notes/a.md")).isEqualTo(workspace.group().resolve("notes/a.md"));
        assertThat(workspace.resolve("")).isEqualTo(workspace.group());
        assertThat(workspace.resolve("./x/../y")).isEqualTo(workspace.group().resolve("y"));
    }

    @Test
    void absolutePathsUnderTheRootAreAllowed() throws Exception {
        Workspace workspace = new ToolTesting(root).workspace;
        Path shared = root.resolve("global").resolve("memory.md");
        assertThat(workspace.resolve(shared.toString())).isEqualTo(shared.toAbsolutePath().normalize());
    }

    @Test
    void dotDotOutOfTheRootIsRefused() {
        Workspace workspace = new ToolTesting(root).workspace;
        assertThatThrownBy(() -> workspace.resolve("../../x"))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("path ../../x is outside " + workspace.root())
                .hasMessageContaining("use a path under " + workspace.group());
        assertThatThrownBy(() -> workspace.resolve("sub/../../../etc/passwd")).isInstanceOf(ToolException.class);
    }

    @Test
    void absolutePathsOutsideTheRootAreRefused() {
        Workspace workspace = new ToolTesting(root).workspace;
        assertThatThrownBy(() -> workspace.resolve("/etc/passwd"))
                .isInstanceOf(ToolException.class)
                .hasMessage("path /etc/passwd is outside " + workspace.root() + "; use a path under " + workspace.group());
    }

    @Test
    void aSymlinkLeadingOutsideIsRefused() throws Exception {
        Workspace workspace = new ToolTesting(root).workspace;
        Files.writeString(elsewhere.resolve("secret.txt"), "s");
        Files.createSymbolicLink(workspace.group().resolve("link"), elsewhere);
        assertThatThrownBy(() -> workspace.resolve("link/secret.txt"))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("through a symbolic link");
        assertThatThrownBy(() -> workspace.resolve("link/new-file.txt")).isInstanceOf(ToolException.class);
        assertThatThrownBy(() -> workspace.resolve("link")).isInstanceOf(ToolException.class);
    }

    @Test
    void aDanglingSymlinkIsRefused() throws Exception {
        Workspace workspace = new ToolTesting(root).workspace;
        Files.createSymbolicLink(workspace.group().resolve("dangling"), elsewhere.resolve("not-yet"));
        assertThatThrownBy(() -> workspace.resolve("dangling"))
                .isInstanceOf(ToolException.class)
                .hasMessageContaining("target does not exist");
    }

    @Test
    void aSymlinkStayingInsideIsFine() throws Exception {
        Workspace workspace = new ToolTesting(root).workspace;
        Files.createDirectories(workspace.group().resolve("real"));
        Files.createSymbolicLink(workspace.group().resolve("alias"), workspace.group().resolve("real"));
        assertThat(workspace.resolve("alias/file.txt")).isEqualTo(workspace.group().resolve("alias/file.txt"));
    }
}
