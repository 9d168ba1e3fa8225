package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config records print no part of a token, key or secret, wherever they are printed (logs, errors). */
class ConfigSecretsTest {
    private static final Map<String, String> SECRETS = Map.of(
            "ANTHROPIC_API_KEY", "sk-ant-Qw8eRt5yUi3oPaSdFgHj",
            "TELEGRAM_BOT_TOKEN", "123456789:AAZx4cVb6nMl2kJh0gFdSaPo",
            "TELEGRAM_WEBHOOK_SECRET", "Wb7Hk2Lm9Np4Qr6St1Uv",
            "SLACK_BOT_TOKEN", "xoxb-7731-Ty5uIo8pAs3dFg",
            "SLACK_APP_TOKEN", "xapp-9-Hj6kLz1xCv4bNm7q",
            "SLACK_SIGNING_SECRET", "8f3a9c2e71b04d5a96e0c3b7",
            "DISCORD_BOT_TOKEN", "MTIzNDU2.GhIjKl.Rz3Wq9Ey5Tu",
            "URL_KEY", "UrlKey4Pw7Sx");

    private final Config config = new ConfigLoader(SECRETS::get).parse("""
            model:
              provider: openai
              name: gpt-x
              apiKey: ${ANTHROPIC_API_KEY}
              baseUrl: https://proxy:${URL_KEY}@llm.example.org/v1?key=${URL_KEY}
            connectors:
              telegram:
                token: ${TELEGRAM_BOT_TOKEN}
                mode: webhook
                webhookUrl: https://bot.example.org/telegram/webhook
                webhookSecret: ${TELEGRAM_WEBHOOK_SECRET}
              slack:
                botToken: ${SLACK_BOT_TOKEN}
                appToken: ${SLACK_APP_TOKEN}
                signingSecret: ${SLACK_SIGNING_SECRET}
              discord:
                token: ${DISCORD_BOT_TOKEN}
            """, "test");

    @Test
    void theSecretsAreReadButNotPrinted() {
        // they really are in the records (so the checks below are not vacuous)
        assertThat(config.model().apiKey()).isEqualTo(SECRETS.get("ANTHROPIC_API_KEY"));
        assertThat(config.connectors().telegram().webhookSecret()).isEqualTo(SECRETS.get("TELEGRAM_WEBHOOK_SECRET"));
        assertThat(config.connectors().slack().signingSecret()).isEqualTo(SECRETS.get("SLACK_SIGNING_SECRET"));
        assertThat(config.connectors().discord().token()).isEqualTo(SECRETS.get("DISCORD_BOT_TOKEN"));

        List<String> printed = List.of(config.toString(), config.model().toString(), config.connectors().toString(),
                config.connectors().telegram().toString(), config.connectors().slack().toString(),
                config.connectors().discord().toString());
        for (String text : printed) {
            SECRETS.values().forEach(secret -> noPartOf(secret, text));
        }
        assertThat(config.model().toString()).contains("apiKey=(set)")
                .contains("baseUrl=https://llm.example.org/v1 (credentials or query hidden)");
        assertThat(config.connectors().slack().toString()).contains("botToken=(set)").contains("signingSecret=(set)");
        assertThat(Config.defaults().connectors().discord().toString()).contains("token=(none)");
    }

    @Test
    void urlsKeepTheirHostAndPath() {
        assertThat(Secrets.url("https://api.telegram.org")).isEqualTo("https://api.telegram.org");
        assertThat(Secrets.url("http://127.0.0.1:11434/v1")).isEqualTo("http://127.0.0.1:11434/v1");
        assertThat(Secrets.url("not a url")).isEqualTo("(not a URL)");
        assertThat(Secrets.url(null)).isEqualTo("null");
    }

    /** No 4-character run of the secret appears (so not even "the last 4" would pass). */
    private static void noPartOf(String secret, String printed) {
        for (int i = 0; i + 4 <= secret.length(); i++) {
            assertThat(printed).as("printed config must not contain '%s'", secret.substring(i, i + 4))
                    .doesNotContain(secret.substring(i, i + 4));
        }
    }
}
