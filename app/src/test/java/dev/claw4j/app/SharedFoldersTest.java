package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.cluster.FoldersMarker;
import dev.claw4j.core.store.StoreLocation;
import dev.claw4j.core.store.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts on one PostgreSQL, each with its own data directory: the second starts only when it sees the first's
 * group folders (cluster.folders on the same shared storage), and is refused, saying what to mount, when it does not.
 */
class SharedFoldersTest {
    @TempDir
    Path tmp;


    @Test
    void aSecondHostStartsOnlyWhenItSeesTheSameGroupFolders() throws Exception {
        StoreLocation.Postgres db = TestDatabase.freshSchema(TestDatabase.server());
        Path shared = tmp.resolve("shared-folders");
        try (Claw4j first = new Claw4j(config(tmp.resolve("a"), db, "../shared-folders"), new NoSandboxes(),
                NoSandboxes.NO_MODEL, List.of())) {
            assertThat(shared.resolve(FoldersMarker.FILE)).exists();
            assertThat(tmp.resolve("a").resolve(FoldersMarker.FILE)).doesNotExist();

            // a host left on its own data directory's folders (cluster.folders not set): refused, told what to mount
            Config local = config(tmp.resolve("b"), db, null);
            assertThatThrownBy(() -> new Claw4j(local, new NoSandboxes(), NoSandboxes.NO_MODEL, List.of()))
                    .isInstanceOf(FoldersMarker.FoldersMismatchException.class)
                    .hasMessageContaining("group folders root " + tmp.resolve("b") + " has no marker file")
                    .hasMessageContaining("Mount the shared folders");

            // the same host with the shared folders configured starts
            try (Claw4j second = new Claw4j(config(tmp.resolve("b"), db, shared.toString()), new NoSandboxes(),
                    NoSandboxes.NO_MODEL, List.of())) {
                assertThat(Files.readString(shared.resolve(FoldersMarker.FILE))).isNotBlank();
            }
        }
    }

    @Test
    void clusterFoldersIsReadFromTheConfigAndIsTheDataDirectoryWhenLeftOut() {
        ConfigLoader loader = new ConfigLoader(java.util.Map.<String, String>of()::get);
        Config shared = loader.parse("dataDir: /srv/claw4j/host-a\ncluster: {folders: /mnt/claw4j}\n", "test");
        assertThat(shared.cluster().foldersRoot(shared.dataDir())).isEqualTo(Path.of("/mnt/claw4j"));
        Config relative = loader.parse("dataDir: /srv/claw4j/host-a\ncluster: {folders: ../folders}\n", "test");
        assertThat(relative.cluster().foldersRoot(relative.dataDir())).isEqualTo(Path.of("/srv/claw4j/folders"));
        Config alone = loader.parse("dataDir: /srv/claw4j\n", "test");
        assertThat(alone.cluster().foldersRoot(alone.dataDir())).isEqualTo(Path.of("/srv/claw4j"));
    }

    private static Config config(Path dataDir, StoreLocation.Postgres db, String folders) {
        Install.id(dataDir);
        return Config.defaults().withDataDir(dataDir)
                .withStore(new Config.Database("postgres", db.url(), db.user(), db.password()))
                .withCluster(new Config.Cluster(null, null, folders));
    }
}
