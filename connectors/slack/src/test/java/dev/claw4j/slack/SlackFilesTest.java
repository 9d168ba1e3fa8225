package dev.claw4j.slack;

import static org.assertj.core.api.Assertions.assertThat;

import okhttp3.HttpUrl;
import org.junit.jupiter.api.Test;

/** Where the bot token may go when a file is fetched. */
class SlackFilesTest {
    private static final HttpUrl SLACK_API = HttpUrl.get("https://slack.com/api/");
    private static final HttpUrl FAKE_API = HttpUrl.get("http://127.0.0.1:40001/api/");

    @Test
    void slacksOwnFileHostsOverHttps() {
        assertThat(allowed("https://files.slack.com/files-pri/T1-F1/a.txt", SLACK_API)).isTrue();
        assertThat(allowed("https://files.slack.com/files-pri/T1-F1/download/a.txt", SLACK_API)).isTrue();
        assertThat(allowed("https://slack.com/files-pri/T1-F1/a.txt", SLACK_API)).isTrue();
        assertThat(allowed("https://files.slack-gov.com/files-pri/T1-F1/a.txt", SLACK_API)).isTrue();
        assertThat(allowed("https://FILES.SLACK.COM/files-pri/T1-F1/a.txt", SLACK_API)).isTrue(); // hosts are case-free
    }

    @Test
    void nothingElse() {
        assertThat(allowed("http://files.slack.com/files-pri/T1-F1/a.txt", SLACK_API)).isFalse(); // not https
        assertThat(allowed("https://files.slack.com:8443/a.txt", SLACK_API)).isFalse();
        assertThat(allowed("https://files.slack.com.evil.example/a.txt", SLACK_API)).isFalse();
        assertThat(allowed("https://evilslack.com/a.txt", SLACK_API)).isFalse();
        assertThat(allowed("https://files.slack.com@evil.example/a.txt", SLACK_API)).isFalse();
        assertThat(allowed("https://user:pw@files.slack.com/a.txt", SLACK_API)).isFalse();
        assertThat(allowed("https://a.slack-edge.com/a.txt", SLACK_API)).isFalse(); // public CDN, never private files
        assertThat(allowed("https://example.com/a.txt", SLACK_API)).isFalse();
    }

    @Test
    void theConfiguredApiOriginExactlyAndNoOtherPortOrScheme() {
        assertThat(allowed("http://127.0.0.1:40001/files/F1/a.txt", FAKE_API)).isTrue();
        assertThat(allowed("http://127.0.0.1:40002/files/F1/a.txt", FAKE_API)).isFalse(); // another server
        assertThat(allowed("https://127.0.0.1:40001/files/F1/a.txt", FAKE_API)).isFalse();
        assertThat(allowed("http://localhost:40001/files/F1/a.txt", FAKE_API)).isFalse();
        assertThat(allowed("https://files.slack.com/files-pri/T1-F1/a.txt", FAKE_API)).isTrue();
    }

    private static boolean allowed(String url, HttpUrl api) {
        return SlackFiles.tokenMayGoTo(HttpUrl.get(url), api);
    }
}
