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
    void aWebhookSecretShorterThanSixteenCharactersIsRefusedWithoutEchoingIt() {
        String fifteen = "abcdefghij_-123";
        assertThatThrownBy(() -> webhook(fifteen)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectors.telegram.webhookSecret is too short (15 characters")
                .hasMessageContaining("openssl rand -hex 32").hasMessageNotContaining(fifteen);
        assertThat(webhook("abcdefghij_-1234").webhookSecret()).isEqualTo("abcdefghij_-1234"); // 16 is enough
    }

    @Test
    void aWebhookSecretMustFollowTelegramsAlphabetAndLength() {
        String withSlash = "abcdefghij/klmnopqrstuvwxyz";
        assertThatThrownBy(() -> webhook(withSlash)).hasMessageContaining("connectors.telegram.webhookSecret may hold "
                + "only A-Z, a-z, 0-9, '_' and '-'").hasMessageContaining("openssl rand -hex 32")
                .hasMessageNotContaining(withSlash);
        assertThatThrownBy(() -> webhook("ä".repeat(20))).hasMessageContaining("may hold only");
        assertThatThrownBy(() -> webhook("a".repeat(257))).hasMessageContaining("at most 256 characters");
        assertThat(webhook("a".repeat(256)).webhookSecret()).hasSize(256);
        assertThatThrownBy(() -> webhook("")).hasMessageContaining("connectors.telegram.webhookSecret is required")
                .hasMessageContaining("openssl rand -hex 32");
    }

    @Test
    void toStringShowsNoPartOfTheTokenOrTheWebhookSecret() {
        String secret = "Zq8Xw3Vb5Nm1Lk7Jh2Gf4Ds";
        String printed = webhook(secret).toString();
        assertThat(printed).contains("webhookUrl=https://x.org/h"); // the record is printed, just not its secrets
        SecretsAssert.noPartOf(TOKEN, printed);
        SecretsAssert.noPartOf(secret, printed);
    }

    private static TelegramSettings webhook(String secret) {
        return new TelegramSettings(TOKEN, null, TelegramSettings.Mode.WEBHOOK, "https://x.org/h", secret, null, 8443,
                null, null, null, null);
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
