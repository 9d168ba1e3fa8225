package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.slack.FakeSlack;
import dev.claw4j.slack.SlackConnector;
import dev.claw4j.slack.SlackSettings;
import dev.claw4j.telegram.FakeBotApi;
import dev.claw4j.telegram.TelegramConnector;
import dev.claw4j.telegram.TelegramSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live progress: a turn that runs ten seconds shows one status message in the chat, edited in place at most every
 * 2 s, and removed when the answer comes; through the real Telegram and Slack connectors and their wire-level
 * fakes, with a real agent in a real sandbox.
 */
class ProgressIT {
    private static final Duration TURN = Duration.ofSeconds(120);
    private static final String STATUS = "⏳ Working…";

    @TempDir
    Path data;

    @Test
    void telegramShowsOneStatusMessageEditsItAndDeletesIt() throws Exception {
        try (FakeBotApi telegram = new FakeBotApi();
             RunningHost host = new RunningHost(data, 4, "1m", "2m", List.of(new TelegramConnector(
                     TelegramSettings.polling(FakeBotApi.TOKEN, telegram.url(), data.resolve("telegram"))
                             .withPollTimeout(Duration.ofSeconds(5)))), "per-chat")) {
            telegram.send(telegram.dm(1001, "Alice", "run: sleep 10; echo SLE''PT"));
            await().atMost(TURN).until(() -> telegram.sentTo("1001").stream()
                    .anyMatch(c -> c.param("text").contains("SLEPT")));
            await().atMost(Duration.ofSeconds(10)).until(() -> telegram.liveMessages().size() == 1);

            List<FakeBotApi.Call> sent = telegram.sentTo("1001");
            assertThat(sent).as("one status message and the answer").hasSize(2);
            FakeBotApi.Call status = sent.getFirst();
            assertThat(status.param("text")).startsWith(STATUS);
            List<FakeBotApi.Call> edits = telegram.calls("editMessageText");
            assertThat(edits).as("the status changed while the turn ran").isNotEmpty()
                    .allMatch(e -> e.param("text").startsWith(STATUS));
            assertThat(edits.stream().map(e -> e.param("text"))).anyMatch(t -> t.contains("sleep 10"));
            List<Instant> times = new ArrayList<>(List.of(status.at()));
            edits.forEach(e -> times.add(e.at()));
            assertAtLeastTwoSecondsApart(times);
            assertThat(telegram.calls("deleteMessage")).hasSize(1);
            assertThat(telegram.liveMessages().values()).as("nothing left behind but the answer")
                    .singleElement().asString().contains("SLEPT");
        }
    }

    @Test
    void slackShowsOneStatusMessageUpdatesItAndDeletesIt() throws Exception {
        try (FakeSlack slack = new FakeSlack().user("UANA", "Ana").channel("C1", "general")) {
            SlackConnector connector = new SlackConnector(SlackSettings.socket(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN)
                    .withApiUrl(slack.apiUrl()));
            try (RunningHost host = new RunningHost(data, 4, "1m", "2m", List.of(connector), "per-chat")) {
                slack.awaitSocketClient(Duration.ofSeconds(20));
                slack.sendEvent(FakeSlack.message("D1", "im", "UANA", "run: sleep 10; echo SLE''PT", slack.nextTs(),
                        null));
                await().atMost(TURN).until(() -> slack.posted("D1", null).stream()
                        .anyMatch(p -> p.text().contains("SLEPT")));
                await().atMost(Duration.ofSeconds(10)).until(() -> slack.liveMessages().size() == 1);

                List<FakeSlack.Posted> posted = slack.posted("D1", null);
                assertThat(posted).as("one status message and the answer").hasSize(2);
                FakeSlack.Posted status = posted.getFirst();
                assertThat(status.text()).startsWith(STATUS);
                List<FakeSlack.Update> updates = slack.updates();
                assertThat(updates).isNotEmpty().allMatch(u -> u.ts().equals(status.ts()));
                assertThat(updates.stream().map(FakeSlack.Update::text)).anyMatch(t -> t.contains("sleep 10"));
                List<Instant> times = new ArrayList<>(List.of(slack.postedAt(status.ts())));
                updates.forEach(u -> times.add(u.at()));
                assertAtLeastTwoSecondsApart(times);
                assertThat(slack.calls("chat.delete")).hasSize(1);
                assertThat(slack.liveMessages().values()).singleElement().asString().contains("SLEPT");
            }
        }
    }

    private static void assertAtLeastTwoSecondsApart(List<Instant> times) {
        for (int i = 1; i < times.size(); i++) {
            assertThat(Duration.between(times.get(i - 1), times.get(i))).as("between status calls %d and %d", i - 1, i)
                    .isGreaterThanOrEqualTo(Duration.ofMillis(1_950));
        }
    }
}
