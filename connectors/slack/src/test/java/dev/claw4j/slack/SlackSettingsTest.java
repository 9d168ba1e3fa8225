package dev.claw4j.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.slack.SlackSettings.Mode;
import org.junit.jupiter.api.Test;

class SlackSettingsTest {
    @Test
    void defaults() {
        SlackSettings s = new SlackSettings("xoxb-1", "xapp-1", null, null, 0, null, null, true);
        assertThat(s.mode()).isEqualTo(Mode.SOCKET);
        assertThat(s.apiUrl()).isEqualTo("https://slack.com/api/");
        assertThat(s.path()).isEqualTo("/slack/events");
        assertThat(SlackSettings.socket("xoxb-1", "xapp-1").stickyThreads()).isTrue();
        assertThat(SlackSettings.http("xoxb-1", "secret", 3000).port()).isEqualTo(3000);
        assertThat(s.withApiUrl("http://127.0.0.1:9/api").apiUrl()).isEqualTo("http://127.0.0.1:9/api/");
    }

    @Test
    void modeParsing() {
        assertThat(Mode.parse(null)).isEqualTo(Mode.SOCKET);
        assertThat(Mode.parse("HTTP")).isEqualTo(Mode.HTTP);
        assertThatThrownBy(() -> Mode.parse("webhook")).hasMessageContaining("connectors.slack.mode");
    }

    @Test
    void validationNamesTheKey() {
        assertThatThrownBy(() -> SlackSettings.socket(null, "xapp-1")).hasMessageContaining("connectors.slack.botToken is required");
        assertThatThrownBy(() -> SlackSettings.socket("xoxp-user", "xapp-1")).hasMessageContaining("connectors.slack.botToken must be a bot token");
        assertThatThrownBy(() -> SlackSettings.socket("xoxb-1", " ")).hasMessageContaining("connectors.slack.appToken is required");
        assertThatThrownBy(() -> SlackSettings.socket("xoxb-1", "xoxb-2")).hasMessageContaining("connectors.slack.appToken must be");
        assertThatThrownBy(() -> SlackSettings.http("xoxb-1", null, 3000)).hasMessageContaining("connectors.slack.signingSecret is required");
        assertThatThrownBy(() -> SlackSettings.http("xoxb-1", "s", 70_000)).hasMessageContaining("connectors.slack.port");
        assertThatThrownBy(() -> new SlackSettings("xoxb-1", null, Mode.HTTP, "s", 1, "events", null, true))
                .hasMessageContaining("connectors.slack.path");
        assertThatThrownBy(() -> SlackSettings.socket("xoxb-1", "xapp-1").withApiUrl("ftp://x/"))
                .hasMessageContaining("connectors.slack.apiUrl");
    }

    @Test
    void secretsAreNotPrinted() {
        assertThat(new SlackSettings("xoxb-secret", "xapp-secret", Mode.SOCKET, "sign-secret", 0, null, null, true))
                .asString().doesNotContain("secret").contains("***");
    }

    @Test
    void toStringShowsNoPartOfAnyTokenOrTheSigningSecret() {
        String bot = "xoxb-7731-Qw8eRt5yUi3oPa";
        String app = "xapp-9-Zx4cVb6nMl2kJh0gFd";
        String signing = "8f3a9c2e71b04d5a96e0c3b7f1d2a4e6";
        String socket = SlackSettings.socket(bot, app).toString();
        String http = SlackSettings.http(bot, signing, 3000).toString();
        assertThat(socket).contains("mode=SOCKET").contains("botToken=***");
        for (String printed : new String[] {socket, http}) {
            noPartOf(bot, printed);
            noPartOf(app, printed);
            noPartOf(signing, printed);
        }
    }

    /** No 4-character run of the secret appears (so not even "the last 4" would pass). */
    private static void noPartOf(String secret, String printed) {
        for (int i = 0; i + 4 <= secret.length(); i++) {
            assertThat(printed).doesNotContain(secret.substring(i, i + 4));
        }
    }
}
