package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening the store where the config puts it, and what the operator is told when that fails. */
class StoreLocationTest {

    @Test
    void anH2DatabaseMigratedBeforeTheVendorFoldersStillValidates(@TempDir Path dir) throws Exception {
        // as every H2 database before this version was migrated: db/migration alone
        Path data = PrivateFiles.dataDirectory(dir.resolve("data"));
        PrivateFiles.touch(data.resolve(Store.DATABASE_FILE));
        String url = Store.url(data);
        Flyway.configure().dataSource(url, "claw4j", DatabasePassword.of(data))
                .locations("classpath:db/migration").load().migrate();

        try (Store store = Store.open(new StoreLocation.H2File(data))) {
            assertThat(store.dialect()).isEqualTo(Dialect.H2);
            store.groups().bindNewGroup("web:chat:c1", "g1");
            assertThat(store.groups().groups()).containsExactly("g1");
        }
    }

    @Test
    void onPostgresTheStoreMigratesAnEmptySchemaAndOpensItAgain() throws Exception {
        StoreLocation.Postgres schema = TestDatabase.freshSchema(TestDatabase.server());
        try (Store store = Store.open(schema)) {
            assertThat(store.dialect()).isEqualTo(Dialect.POSTGRESQL);
            store.groups().bindNewGroup("web:chat:c1", "g1");
        }
        try (Store again = Store.open(schema)) {
            assertThat(again.groups().groups()).containsExactly("g1");
        }
        try (var c = DriverManager.getConnection(schema.url(), schema.user(), schema.password());
             var rs = c.createStatement().executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success")) {
            rs.next();
            assertThat(rs.getInt(1)).as("every migration ran on PostgreSQL").isGreaterThanOrEqualTo(10);
        }
    }

    @Test
    void aRefusedLoginSaysWhichRoleAndWhatToCheck() {
        StoreLocation.Postgres server = TestDatabase.server();
        var wrong = new StoreLocation.Postgres(server.url(), server.user(), "not-" + server.password());
        assertThatThrownBy(() -> Store.open(wrong))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("refused the login of role '" + server.user() + "'")
                .hasMessageContaining("check store.user and store.password")
                .hasMessageNotContaining(server.password());
    }

    @Test
    void aMissingDatabaseSaysHowToCreateIt() {
        StoreLocation.Postgres server = TestDatabase.server();
        String url = server.url().replaceAll("/[^/?]+(\\?.*)?$", "/no_such_db_here");
        var missing = new StoreLocation.Postgres(url, server.user(), server.password());
        assertThatThrownBy(() -> Store.open(missing))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("no such database")
                .hasMessageContaining("CREATE DATABASE");
    }

    @Test
    void aServerThatDoesNotAnswerSaysToStartItOrFixTheUrl() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free now, and nothing listens once it is closed
        }
        var nobody = new StoreLocation.Postgres("jdbc:postgresql://127.0.0.1:" + port + "/claw4j?connectTimeout=2",
                "claw4j", "secret-that-stays-hidden");
        assertThatThrownBy(() -> Store.open(nobody))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("cannot reach PostgreSQL at jdbc:postgresql://127.0.0.1:" + port + "/claw4j")
                .hasMessageContaining("check that the server runs")
                .hasMessageNotContaining("secret-that-stays-hidden");
    }
}
