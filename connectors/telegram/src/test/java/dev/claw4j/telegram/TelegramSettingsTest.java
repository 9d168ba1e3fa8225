package dev.claw4j.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TelegramSettingsTest {
    private static final String TOKEN = FakeBotApi.TOKEN;

    @Test
    void defaults() {
        TelegramSettings s = new TelegramSettings(TOKEN, null, null, null, null, null, 8443, null, null, null, null);
        assertThat(s.apiUrl()).isEqualTo("https://api.telegram.org");
        assertThat(s.mode()).isEqualTo(TelegramSettings.Mode.POLLING);
        assertThat(s.webhookBind()).isEqualTo("127.0.0.1");
        assertThat(s.webhookPath()).isEqualTo("/telegram/webhook");
        assertThat(s.stateDir()).isEqualTo(Path.of("data", "telegram"));
        assertThat(s.pollTimeout()).isEqualTo(Duration.ofSeconds(50));
        assertThat(s.botName()).isNull();
        assertThat(s.toString()).doesNotContain(TOKEN);
    }

    @Test
    void messagesNameTheConfigKey() {
        assertThatThrownBy(() -> TelegramSettings.polling(null, null, null))
                .hasMessageContaining("connectors.telegram.token is missing");
        assertThatThrownBy(() -> TelegramSettings.polling("changeme", null, null))
                .hasMessageContaining("connectors.telegram.token does not look like").hasMessageNotContaining("changeme");
        assertThatThrownBy(() -> TelegramSettings.polling(TOKEN, "ftp://x", null))
                .hasMessageContaining("connectors.telegram.apiUrl");
        assertThatThrownBy(() -> TelegramSettings.polling(TOKEN, "https://proxy.example/telegram", null))
                .hasMessageContaining("connectors.telegram.apiUrl must not have a path");
        assertThatThrownBy(() -> TelegramSettings.Mode.parse("push"))
                .hasMessageContaining("connectors.telegram.mode must be 'polling' or 'webhook'");
        assertThatThrownBy(() -> new TelegramSettings(TOKEN, null, TelegramSettings.Mode.WEBHOOK, null, "s", null,
                8443, null, null, null, null)).hasMessageContaining("connectors.telegram.webhookUrl is required");
        assertThatThrownBy(() -> new TelegramSettings(TOKEN, null, TelegramSettings.Mode.WEBHOOK, "https://x.org/h",
                null, null, 8443, null, null, null, null)).hasMessageContaining("connectors.telegram.webhookSecret");
        assertThatThrownBy(() -> new TelegramSettings(TOKEN, null, TelegramSettings.Mode.WEBHOOK, "https://x.org/h",
                "has space", null, 8443, null, null, null, null)).hasMessageContaining("connectors.telegram.webhookSecret");
        assertThatThrownBy(() -> new TelegramSettings(TOKEN, null, null, null, null, null, 70000, null, null, null,
                null)).hasMessageContaining("connectors.telegram.webhookPort");
        assertThatThrownBy(() -> new TelegramSettings(TOKEN, null, null, null, null, null, 8443, "hook", null, null,
                null)).hasMessageContaining("connectors.telegram.webhookPath");
        assertThatThrownBy(() -> new TelegramSettings(TOKEN, null, null, null, null, null, 8443, null, null, "bad name",
                null)).hasMessageContaining("connectors.telegram.botName");
        assertThatThrownBy(() -> TelegramSettings.polling(TOKEN, null, null).withPollTimeout(Duration.ofMinutes(2)))
                .hasMessageContaining("connectors.telegram.pollTimeout");
    }

    @Test
    void modeAndBotNameAreRead() {
        assertThat(TelegramSettings.Mode.parse(" Webhook ")).isEqualTo(TelegramSettings.Mode.WEBHOOK);
        assertThat(TelegramSettings.Mode.parse(null)).isEqualTo(TelegramSettings.Mode.POLLING);
        TelegramSettings s = new TelegramSettings(TOKEN, "http://127.0.0.1:8081/", null, null, null, null, 0, null,
                null, "@my_bot", null);
        assertThat(s.botName()).isEqualTo("my_bot");
        assertThat(s.apiUrl()).isEqualTo("http://127.0.0.1:8081");
    }
}
