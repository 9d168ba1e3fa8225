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
}
