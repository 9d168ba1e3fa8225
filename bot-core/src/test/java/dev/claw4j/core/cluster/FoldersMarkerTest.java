package dev.claw4j.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hosts on one database refuse to start unless they see the same group folders, on H2 and on PostgreSQL. */
@OnBothDatabases
class FoldersMarkerTest {
    private final Store store;
    private final DataSource db;

    @TempDir
    Path dir;

    FoldersMarkerTest(TestDatabase database) {
        this.store = database.open();
        this.db = store.dataSource();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theFirstHostMarksTheFoldersAndAHostSeeingTheSameFoldersStarts() throws Exception {
        Path shared = dir.resolve("shared");
        String id = FoldersMarker.check(db, shared);
        assertThat(Files.readString(shared.resolve(FoldersMarker.FILE)).strip()).isEqualTo(id);
        assertThat(FoldersMarker.check(db, shared)).as("the second host, or a restart").isEqualTo(id);
    }

    @Test
    void aHostWhoseFoldersRootIsEmptyIsRefusedAndToldWhatToMount() {
        String id = FoldersMarker.check(db, dir.resolve("shared"));
        Path local = dir.resolve("local-disk");
        assertThatThrownBy(() -> FoldersMarker.check(db, local))
                .isInstanceOf(FoldersMarker.FoldersMismatchException.class)
                .hasMessageContaining("group folders root " + local + " has no marker file")
                .hasMessageContaining("Mount the shared folders").hasMessageContaining("cluster.folders")
                .hasMessageContaining(id);
        assertThat(local.resolve(FoldersMarker.FILE)).as("a refused host marks nothing").doesNotExist();
    }

    @Test
    void aHostSeeingAnotherInstallsFoldersIsRefused() throws Exception {
        FoldersMarker.check(db, dir.resolve("shared"));
        Path other = Files.createDirectories(dir.resolve("other-install"));
        Files.writeString(other.resolve(FoldersMarker.FILE), "someone-elses-id\n");
        assertThatThrownBy(() -> FoldersMarker.check(db, other))
                .isInstanceOf(FoldersMarker.FoldersMismatchException.class)
                .hasMessageContaining("holds other folders (marker id someone-elses-id")
                .hasMessageContaining("Mount the shared folders");
    }

    @Test
    void anInstallFromBeforeTheMarkerAdoptsTheMarkerItsFoldersHave() throws Exception {
        Path folders = Files.createDirectories(dir.resolve("folders"));
        Files.writeString(folders.resolve(FoldersMarker.FILE), "made-by-a-host-that-crashed-before-storing\n");
        assertThat(FoldersMarker.check(db, folders)).isEqualTo("made-by-a-host-that-crashed-before-storing");
        assertThat(FoldersMarker.check(db, folders)).isEqualTo("made-by-a-host-that-crashed-before-storing");
    }
}
