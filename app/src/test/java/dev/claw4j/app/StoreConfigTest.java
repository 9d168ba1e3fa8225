package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.store.StoreLocation;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code store:} section: H2 by default, PostgreSQL when asked, and clear refusals for what cannot work. */
class StoreConfigTest {
    private static final String PASSWORD = "Pg7xQ2wLm9Rt4vZs";

    private static Config parse(String yaml) {
        return new ConfigLoader(Map.of("CLAW4J_DB_PASSWORD", PASSWORD)::get).parse(yaml, "test");
    }

    @Test
    void withoutAStoreSectionTheStoreIsH2InTheDataDirectory() {
        Config config = parse("dataDir: /srv/claw4j\n");
        assertThat(config.store().location(config.dataDir()))
                .isEqualTo(new StoreLocation.H2File(Path.of("/srv/claw4j")));
        assertThat(parse("store: {kind: h2}\n").store().location(Path.of("d")))
                .isInstanceOf(StoreLocation.H2File.class);
    }

    @Test
    void postgresTakesItsPasswordFromTheEnvironmentAndNeverPrintsIt() {
        Config config = parse("""
                store:
                  kind: postgres
                  url: jdbc:postgresql://db.internal:5432/claw4j?sslmode=require
                  user: claw4j
                  password: ${CLAW4J_DB_PASSWORD}
                """);
        StoreLocation location = config.store().location(config.dataDir());
        assertThat(location).isEqualTo(new StoreLocation.Postgres(
                "jdbc:postgresql://db.internal:5432/claw4j?sslmode=require", "claw4j", PASSWORD));
        assertThat(config.toString()).contains("kind=postgres", "db.internal:5432/claw4j", "password=(set)")
                .doesNotContain(PASSWORD).doesNotContain("sslmode");
        assertThat(location.toString()).contains("password=(set)").doesNotContain(PASSWORD);
    }

    @Test
    void anUnknownKindIsRefusedNamingTheChoices() {
        assertThatThrownBy(() -> parse("store: {kind: mysql}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.kind must be h2")
                .hasMessageContaining("postgres")
                .hasMessageContaining("'mysql'");
    }

    @Test
    void postgresWithoutAUrlOrUserSaysWhatToWrite() {
        assertThatThrownBy(() -> parse("store: {kind: postgres, user: claw4j}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.url is missing")
                .hasMessageContaining("jdbc:postgresql://HOST:5432/DATABASE");
        assertThatThrownBy(() -> parse("store: {kind: postgres, url: 'jdbc:postgresql://db/claw4j'}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.user is missing");
        assertThatThrownBy(() -> parse("store: {kind: postgres, url: 'postgres://db/claw4j', user: u}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("must start with jdbc:postgresql://");
    }

    @Test
    void aPasswordInTheUrlIsRefusedSoItIsNeverPrintedWithIt() {
        assertThatThrownBy(() -> parse("""
                store:
                  kind: postgres
                  url: jdbc:postgresql://db/claw4j?user=u&password=${CLAW4J_DB_PASSWORD}
                  user: u
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("store.password: ${SOME_ENV_VAR}")
                .hasMessageNotContaining(PASSWORD);
    }

    @Test
    void postgresSettingsUnderH2AreRefusedNotIgnored() {
        assertThatThrownBy(() -> parse("store: {url: 'jdbc:postgresql://db/claw4j'}\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("set store.kind: postgres");
    }
}
