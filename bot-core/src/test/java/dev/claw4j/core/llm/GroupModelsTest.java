package dev.claw4j.core.llm;

import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@OnBothDatabases
class GroupModelsTest {
    static final ModelSettings DEFAULT = ModelSettings.of("anthropic", "claude-sonnet-4-5", "sk-a", null);
    static final ModelSettings FAST = ModelSettings.of("gemini", "gemini-2.5-flash", "g-key", null);
    static final ModelSettings SMART = ModelSettings.of("anthropic", "claude-opus-4-1", "sk-a", null);

    final Store store;

    GroupModelsTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    GroupModels models() {
        return new GroupModels(store.dataSource(), DEFAULT, Map.of("fast", FAST, "smart", SMART), Map.of("family", "fast"));
    }

    @Test
    void configNamesAGroupsModelAndEveryOtherGroupGetsTheDefault() {
        GroupModels models = models();

        assertThat(models.forGroup("family")).isEqualTo(FAST);
        assertThat(models.nameFor("family")).isEqualTo("fast");
        assertThat(models.forGroup("work")).isEqualTo(DEFAULT);
        assertThat(models.nameFor("work")).isEqualTo(GroupModels.DEFAULT);
        assertThat(models.names()).containsExactly("default", "fast", "smart");
    }

    @Test
    void aPickOutranksConfigAndOutlivesARestart() {
        models().choose("family", "smart", "telegram:42");

        GroupModels afterRestart = models();

        assertThat(afterRestart.forGroup("family")).isEqualTo(SMART);
        afterRestart.choose("family", GroupModels.DEFAULT, "telegram:42");
        assertThat(afterRestart.forGroup("family")).as("default drops the pick; config applies again").isEqualTo(FAST);
        assertThat(models().forGroup("family")).isEqualTo(FAST);
    }

    @Test
    void onlyConfiguredNamesCanBePicked() {
        GroupModels models = models();

        assertThatThrownBy(() -> models.choose("work", "gpt-5", "telegram:42"))
                .hasMessage("there is no model named 'gpt-5'; pick one of [default, fast, smart]");
        assertThat(models.forGroup("work")).isEqualTo(DEFAULT);
    }

    @Test
    void aStoredNameConfigNoLongerHasFallsBackToConfig() {
        models().choose("family", "smart", "telegram:42");

        GroupModels withoutSmart = new GroupModels(store.dataSource(), DEFAULT, Map.of("fast", FAST),
                Map.of("family", "fast"));

        assertThat(withoutSmart.forGroup("family")).isEqualTo(FAST);
    }
}
