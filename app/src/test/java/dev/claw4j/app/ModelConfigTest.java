package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.llm.ModelSettings;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** model.fallback, model.named and model.groups, as the config file says them. */
class ModelConfigTest {
    private final ConfigLoader loader = new ConfigLoader(
            Map.of("ANTHROPIC_API_KEY", "sk-ant-1234", "GEMINI_API_KEY", "gem-5678")::get);

    @Test
    void namedModelsTakeWhatTheyLeaveOutFromTheDefaultButOnlyItsOwnProvidersKey() {
        Config config = loader.parse("""
                model:
                  provider: anthropic
                  name: claude-sonnet-4-5
                  apiKey: ${ANTHROPIC_API_KEY}
                  maxTokens: 4096
                  fallback: { provider: gemini, name: gemini-2.5-flash, apiKey: "${GEMINI_API_KEY}" }
                  named:
                    fast: { provider: gemini, name: gemini-2.5-flash, apiKey: "${GEMINI_API_KEY}", maxTokens: 1024 }
                    smart: { name: claude-opus-4-1 }
                  groups:
                    family-3f2a1c: fast
                """, "test");

        Map<String, ModelSettings> named = config.model().namedSettings();
        assertThat(named.get("fast").label()).isEqualTo("gemini/gemini-2.5-flash");
        assertThat(named.get("fast").apiKey()).isEqualTo("gem-5678");
        assertThat(named.get("fast").maxTokens()).isEqualTo(1024);
        assertThat(named.get("smart").label()).isEqualTo("anthropic/claude-opus-4-1");
        assertThat(named.get("smart").apiKey()).isEqualTo("sk-ant-1234");
        assertThat(named.get("smart").maxTokens()).isEqualTo(4096);
        assertThat(config.model().fallbackSettings().label()).isEqualTo("gemini/gemini-2.5-flash");
        assertThat(config.model().groupModels()).containsEntry("family-3f2a1c", "fast");
        assertThat(config.model().toString()).doesNotContain("sk-ant-1234").doesNotContain("gem-5678");
    }

    @Test
    void anotherProvidersModelNeverGetsTheDefaultKey() {
        assertThatThrownBy(() -> loader.parse("""
                model:
                  apiKey: sk-ant-1234
                  named: { fast: { provider: gemini, name: gemini-2.5-flash } }
                """, "test"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("model.named.fast: model.apiKey is empty for provider gemini; set GEMINI_API_KEY or model.apiKey");
    }

    @Test
    void aGroupMustNameAConfiguredModel() {
        assertThatThrownBy(() -> loader.parse("""
                model:
                  apiKey: sk-ant-1234
                  named: { smart: { name: claude-opus-4-1 } }
                  groups: { family: fats }
                """, "test"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("model.groups.family is 'fats', which is not in model.named; name one of [smart]");
    }

    @Test
    void theShippedFileHasNoFallbackAndNoNamedModels() {
        Config shipped = new ConfigLoader(Map.of("ANTHROPIC_API_KEY", "sk-ant-1234")::get)
                .load(Path.of("../config/claw4j.yaml"));
        assertThat(shipped.model().fallbackSettings()).isNull();
        assertThat(shipped.model().namedSettings()).isEmpty();
    }
}
