package dev.claw4j.core.llm;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelSettingsTest {

    @Test
    void defaultsApply() {
        ModelSettings s = ModelSettings.of("anthropic", "claude-sonnet-4-5", "k-123", null);

        assertThat(s.provider()).isEqualTo(ModelSettings.Provider.ANTHROPIC);
        assertThat(s.maxTokens()).isEqualTo(4096);
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(120));
        assertThat(s.maxRetries()).isEqualTo(4);
        assertThat(s.baseUrl()).isNull();
        assertThat(s.label()).isEqualTo("anthropic/claude-sonnet-4-5");
    }

    @Test
    void messagesNameTheConfigKey() {
        assertThatThrownBy(() -> ModelSettings.of("bard", "x", "k", null))
                .hasMessageStartingWith("model.provider 'bard' is not known");
        assertThatThrownBy(() -> ModelSettings.of(" ", "x", "k", null))
                .hasMessageStartingWith("model.provider is empty");
        assertThatThrownBy(() -> ModelSettings.of("openai", "", "k", null))
                .hasMessageStartingWith("model.name is empty");
        assertThatThrownBy(() -> ModelSettings.of("anthropic", "claude", "", null))
                .hasMessage("model.apiKey is empty for provider anthropic; set ANTHROPIC_API_KEY or model.apiKey");
        assertThatThrownBy(() -> ModelSettings.of("openai", "gpt-4o", null, null))
                .hasMessage("model.apiKey is empty for provider openai; set OPENAI_API_KEY or model.apiKey");
        assertThatThrownBy(() -> ModelSettings.of("openai", "llama3", "", "ftp://host/v1"))
                .hasMessageStartingWith("model.baseUrl 'ftp://host/v1' must be an http(s) URL");
        assertThatThrownBy(() -> ModelSettings.of("openai", "m", "k", null, 0, null, null))
                .hasMessageStartingWith("model.maxTokens");
        assertThatThrownBy(() -> ModelSettings.of("openai", "m", "k", null, null, Duration.ZERO, null))
                .hasMessageStartingWith("model.timeout");
        assertThatThrownBy(() -> ModelSettings.of("openai", "m", "k", null, null, null, -1))
                .hasMessageStartingWith("model.maxRetries");
    }

    @Test
    void localOpenAiCompatibleServerNeedsNoKey() {
        ModelSettings s = ModelSettings.of("OpenAI", "llama3.2", "", "http://127.0.0.1:11434/v1");

        assertThat(s.provider()).isEqualTo(ModelSettings.Provider.OPENAI);
        assertThat(s.apiKey()).isEmpty();
    }

    @Test
    void toStringHidesTheKey() {
        ModelSettings s = ModelSettings.of("anthropic", "claude", "sk-ant-very-secret", null);

        assertThat(s.toString()).doesNotContain("sk-ant-very-secret").contains("apiKey=(set)");
    }
}
