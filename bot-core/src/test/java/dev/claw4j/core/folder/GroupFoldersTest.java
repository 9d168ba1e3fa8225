package dev.claw4j.core.folder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The folder door from the attacker's side: the agent has planted links, FIFOs and huge sparse files at every
 * name the host touches. Each test first shows the plant is there, then that the host neither followed nor
 * blocked, and that it reported the refusal.
 */
class GroupFoldersTest {
    static final String G = "g-test";
    @TempDir
    Path data;
    @TempDir
    Path outside; // stands for a host folder such as /etc/cron.d or another group's folder
    final List<String> refusals = new ArrayList<>();
    GroupFolders folders;
    Path group;

    @BeforeEach
    void setUp() {
        folders = new GroupFolders(data, (g, r) -> refusals.add(g + " " + r.getMessage()));
        folders.create(G);
        group = folders.groupDir(G);
    }

    @Test
    void createsTheFolderWithItsMemoryOwnedByTheSandboxUser() throws IOException {
        assertThat(folders.memory(G)).contains("Memory of this chat's agent");
        if (isRoot()) {
            assertThat(Files.getAttribute(group, "unix:uid")).isEqualTo(GroupFolders.SANDBOX_UID);
            assertThat(Files.getAttribute(group.resolve("AGENT.md"), "unix:uid")).isEqualTo(GroupFolders.SANDBOX_UID);
        }
        folders.create(G); // again: nothing changes, nothing fails
        assertThat(refusals).isEmpty();
    }

    @Test
    void memoryThroughALinkIsRefused() throws IOException {
        Files.writeString(outside.resolve("secret"), "HOST-SECRET");
        Files.delete(group.resolve("AGENT.md"));
        Files.createSymbolicLink(group.resolve("AGENT.md"), outside.resolve("secret"));
        assertThat(Files.readString(group.resolve("AGENT.md"))).isEqualTo("HOST-SECRET"); // the plant works

        assertThat(folders.memory(G)).isEmpty();
        assertThat(refusals).singleElement().asString().contains("AGENT.md").contains("symbolic link");
    }

    @Test
    void aFifoNeverBlocksTheHost() throws Exception {
        Files.delete(group.resolve("AGENT.md"));
        mkfifo(group.resolve("AGENT.md"));
        assertThat(Files.readAttributes(group.resolve("AGENT.md"), java.nio.file.attribute.BasicFileAttributes.class).isOther()).isTrue();

        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThat(folders.memory(G)).isEmpty());
        assertThat(refusals).singleElement().asString().contains("not a plain file");
    }

    @Test
    void aSparseTenGigabyteMemoryIsReadUpToItsCap() throws IOException {
        Path memory = group.resolve("AGENT.md");
        try (RandomAccessFile f = new RandomAccessFile(memory.toFile(), "rw")) {
            f.setLength(10L << 30);
        }
        assertThat(Files.size(memory)).isEqualTo(10L << 30);
        assertThat(folders.memory(G)).hasSize(64 * 1024);
    }

    @Test
    void anInboxLinkedOutsideIsRefusedAndNothingIsWrittenThere() throws IOException {
        Files.createSymbolicLink(group.resolve("inbox"), outside);

        assertThatThrownBy(() -> folders.putInbox(G, "report.txt", "x".getBytes()))
                .isInstanceOf(FolderRefusal.class).hasMessageContaining("inbox");
        try (var listing = Files.list(outside)) {
            assertThat(listing).isEmpty();
        }
        assertThat(refusals).singleElement().asString().contains("inbox");
    }

    @Test
    void aFifoInboxIsRefusedWithoutBlocking() throws Exception {
        mkfifo(group.resolve("inbox"));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> assertThatThrownBy(
                () -> folders.putInbox(G, "a.txt", "x".getBytes())).isInstanceOf(FolderRefusal.class));
    }

    @Test
    void aLinkPlantedAtTheFileNameIsReplacedNeverWrittenThrough() throws IOException {
        Files.writeString(outside.resolve("crontab"), "ORIGINAL");
        Files.createDirectories(group.resolve("inbox"));
        Files.createSymbolicLink(group.resolve("inbox/report.txt"), outside.resolve("crontab"));

        assertThat(folders.putInbox(G, "report.txt", "NEW".getBytes())).isEqualTo("inbox/report.txt");
        assertThat(Files.readString(outside.resolve("crontab"))).isEqualTo("ORIGINAL");
        assertThat(Files.isSymbolicLink(group.resolve("inbox/report.txt"))).isFalse();
        assertThat(Files.readString(group.resolve("inbox/report.txt"))).isEqualTo("NEW");
        if (isRoot()) {
            assertThat(Files.getAttribute(group.resolve("inbox/report.txt"), "unix:uid"))
                    .isEqualTo(GroupFolders.SANDBOX_UID);
        }
    }

    @Test
    void aPlatformNameCannotClimbOut() {
        assertThat(folders.putInbox(G, "../../etc/passwd", "x".getBytes())).isEqualTo("inbox/passwd");
        assertThat(folders.putInbox(G, "..", "x".getBytes())).isEqualTo("inbox/file");
    }

    @Test
    void resetThroughALinkedSessionFolderDeletesNothingOutside() throws IOException {
        Files.writeString(outside.resolve("session.jsonl"), "VICTIM-HISTORY");
        Files.createSymbolicLink(group.resolve(".claw4j"), outside);

        assertThat(folders.resetSession(G)).isFalse();
        assertThat(Files.readString(outside.resolve("session.jsonl"))).isEqualTo("VICTIM-HISTORY");
        assertThat(refusals).singleElement().asString().contains(".claw4j");
    }

    @Test
    void resetRemovesTheSessionFileOrALinkInItsPlaceNeverItsTarget() throws IOException {
        Files.createDirectories(group.resolve(".claw4j"));
        Files.writeString(outside.resolve("victim"), "KEEP");
        Files.createSymbolicLink(group.resolve(".claw4j/session.jsonl"), outside.resolve("victim"));

        assertThat(folders.resetSession(G)).isTrue();
        assertThat(Files.exists(group.resolve(".claw4j/session.jsonl"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readString(outside.resolve("victim"))).isEqualTo("KEEP");
    }

    @Test
    void theSizeWalkFollowsNoLinkAndOpensNoFifo() throws Exception {
        Files.write(outside.resolve("big"), new byte[1 << 20]);
        Files.write(group.resolve("own"), new byte[1000]);
        Files.createSymbolicLink(group.resolve("link-to-dir"), outside);
        Files.createSymbolicLink(group.resolve("link-to-file"), outside.resolve("big"));
        mkfifo(group.resolve("pipe"));

        GroupFolders.Size size = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> folders.size(G));
        assertThat(size.complete()).isTrue();
        assertThat(size.bytes()).isLessThan(1 << 20).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void aSparseFileCountsAtItsFullLength() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(group.resolve("sparse.bin").toFile(), "rw")) {
            f.setLength(10L << 30);
        }
        assertThat(folders.size(G).bytes()).isGreaterThanOrEqualTo(10L << 30);
    }

    @Test
    void aFolderTooDeepToMeasureSaysSo() throws IOException {
        Path deep = group;
        for (int i = 0; i <= GroupFolders.MAX_DEPTH + 1; i++) {
            deep = deep.resolve("d");
        }
        Files.createDirectories(deep);
        assertThat(folders.size(G).complete()).isFalse();
    }

    private static void mkfifo(Path path) throws Exception {
        assertThat(new ProcessBuilder("mkfifo", path.toString()).start().waitFor()).isZero();
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
