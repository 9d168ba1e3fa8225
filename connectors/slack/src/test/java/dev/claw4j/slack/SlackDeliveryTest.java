package dev.claw4j.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replies through the real Slack SDK to the fake's chat.postMessage and upload API. */
class SlackDeliveryTest {
    private FakeSlack slack;
    private SlackConnector connector;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack();
        connector = new SlackConnector(SlackSettings.socket(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN)
                .withApiUrl(slack.apiUrl()));
        connector.start(new RecordingInbox());
    }

    @AfterEach
    void stop() {
        connector.close();
        slack.close();
    }

    @Test
    void aReplyGoesIntoTheThreadAsMrkdwn() throws Exception {
        connector.deliver(new OutboundMessage(1, "slack", "C1", "1700000000.000100", "**Done**: see [x](https://x.dev)",
                "C1:1700000000.000100"));
        assertThat(slack.posted()).singleElement().satisfies(p -> {
            assertThat(p.channel()).isEqualTo("C1");
            assertThat(p.threadTs()).isEqualTo("1700000000.000100");
            assertThat(p.text()).isEqualTo("*Done*: see <https://x.dev|x>");
        });
        assertThat(slack.calls("chat.postMessage").getFirst().token()).isEqualTo(FakeSlack.BOT_TOKEN);
    }

    @Test
    void aSixThousandCharacterAnswerWithCodeIsPostedInPartsWithinTheLimit() throws Exception {
        StringBuilder md = new StringBuilder("Here is what `seq 1 900` printed:\n```\n");
        for (int i = 1; i <= 900; i++) {
            md.append(i).append('\n');
        }
        md.append("```\n").append("Summary: ".repeat(300));
        assertThat(md.length()).isGreaterThan(6_000);

        connector.deliver(new OutboundMessage(2, "slack", "C1", "1.0", md.toString(), null));

        List<FakeSlack.Posted> posted = slack.posted("C1", "1.0");
        assertThat(posted).hasSizeGreaterThanOrEqualTo(2).allSatisfy(p -> {
            assertThat(p.text().length()).isLessThanOrEqualTo(4_000);
            assertThat(MessageSplitter.fences(p.text()) % 2).isZero();
        });
        String all = String.join("\n", posted.stream().map(FakeSlack.Posted::text).toList());
        for (int i = 1; i <= 900; i++) {
            assertThat(all).contains("\n" + i + "\n");
        }
        assertThat(posted.getLast().text().strip()).endsWith("Summary:");
    }

    @Test
    void aRateLimitStormIsADeliveryExceptionWithRetryAfterAndPartsAreNotRepeated() throws Exception {
        String text = "first part\n" + "x".repeat(3_400) + "\nsecond part " + "y".repeat(3_000);
        OutboundMessage m = new OutboundMessage(3, "slack", "C1", "1.0", text, null);
        slack.passNext("chat.postMessage", 1); // the first part goes out, then Slack starts refusing
        slack.failNext("chat.postMessage", 3, 429, 7);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> connector.deliver(m)).isInstanceOfSatisfying(DeliveryException.class, e -> {
                assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
                assertThat(e.permanent()).isFalse();
                assertThat(e.getMessage()).contains("rate limited");
            });
        }
        Delivered delivered = connector.deliver(m); // the outbox's retry, after the storm
        List<FakeSlack.Posted> posted = slack.posted("C1", "1.0");
        assertThat(posted).hasSize(2);
        // both parts' ids, the first one from the attempt before the storm
        assertThat(delivered.platformMessageIds()).containsExactly("C1:" + posted.get(0).ts(),
                "C1:" + posted.get(1).ts());
        assertThat(posted.get(0).text()).startsWith("first part");
        assertThat(posted.get(1).text()).startsWith("second part");
        assertThat(slack.calls("chat.postMessage")).hasSize(5);
    }

    @Test
    void aRatelimitedErrorBodyAlsoCarriesRetryAfter() {
        slack.errorNext("chat.postMessage", 1, "ratelimited");
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(4, "slack", "C1", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.retryAfter()).isNotNull());
    }

    @Test
    void aMissingChannelIsPermanent() {
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(5, "slack", "CGONE1", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).contains("channel_not_found");
                });
        slack.errorNext("chat.postMessage", 1, "not_in_channel");
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(6, "slack", "C1", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).contains("/invite");
                });
    }

    @Test
    void serverErrorsAreRetriedLater() {
        slack.failNext("chat.postMessage", 1, 503, 0);
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(7, "slack", "C1", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.retryAfter()).isNull();
                    assertThat(e.getMessage()).contains("HTTP 503");
                });
    }

    @Test
    void aPostAnsweredWithAnUnreadable200IsDeliveredAndNeverPostedAgain() throws Exception {
        slack.garbleNext("chat.postMessage", 1, "<html>200 OK from a proxy</html>");
        assertThat(connector.deliver(new OutboundMessage(10, "slack", "C1", "1.0", "once only", null))
                .platformMessageIds()).as("delivered, its id unknown").isEmpty();
        slack.garbleNext("chat.postMessage", 1, "{}"); // 2xx, neither ok nor error: not a refusal
        connector.deliver(new OutboundMessage(11, "slack", "C1", "2.0", "and once more", null));
        slack.garbleNext("chat.postMessage", 1, ""); // an empty 200
        connector.deliver(new OutboundMessage(12, "slack", "C1", "3.0", "and empty", null));
        assertThat(slack.calls("chat.postMessage")).hasSize(3);
        assertThat(slack.posted()).extracting(FakeSlack.Posted::text).containsExactly("once only", "and once more",
                "and empty");
    }

    @Test
    void anUnreadableAnswerToOnePartDoesNotRepeatItAndTheRestFollow() throws Exception {
        String text = "first part\n" + "x".repeat(3_400) + "\nsecond part " + "y".repeat(3_000);
        slack.garbleNext("chat.postMessage", 1, "not json at all");
        connector.deliver(new OutboundMessage(13, "slack", "C1", "1.0", text, null));
        assertThat(slack.calls("chat.postMessage")).hasSize(2);
        assertThat(slack.posted("C1", "1.0")).hasSize(2);
    }

    @Test
    void aRefusalTheSdkCannotFullyReadIsStillARefusal() {
        // ok:false with Slack's error, but a field the SDK chokes on: the error is read from the raw answer
        slack.garbleNext("chat.postMessage", 1, "{\"ok\":false,\"error\":\"not_in_channel\",\"ts\":{\"not\":\"a string\"}}");
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(14, "slack", "C1", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).contains("not_in_channel");
                });
    }

    @Test
    void aSharedFileAnsweredWithAnUnreadable200IsDeliveredOnce() throws Exception {
        Path file = dir.resolve("notes.txt");
        Files.writeString(file, "notes");
        slack.garbleNext("files.completeUploadExternal", 1, "<html></html>");
        connector.deliver(new OutboundMessage(15, "slack", "C1", "1.0", "the notes", null, file));
        assertThat(slack.calls("files.completeUploadExternal")).hasSize(1);
        assertThat(slack.uploads()).hasSize(1);
    }

    @Test
    void aFailureSaysItsCause() {
        slack.failNext("chat.postMessage", 1, 502, 0);
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(16, "slack", "C1", null, "hi", null)))
                .hasMessageContaining("chat.postMessage to C1 failed with HTTP 502 (fatal_error)");
        slack.errorNext("chat.postMessage", 1, "ratelimited");
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(17, "slack", "C1", null, "hi", null)))
                .hasMessageContaining("rate limited (ratelimited)");
        slack.close(); // Slack unreachable: what the network said
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(18, "slack", "C1", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.getMessage()).startsWith("slack: chat.postMessage to C1 could not reach Slack: ");
                    assertThat(e.getMessage()).doesNotEndWith(": ").doesNotEndWith("null");
                    assertThat(e.permanent()).isFalse();
                });
    }

    @Test
    void aFileIsUploadedWithTheCurrentUploadApiIntoTheThread() throws Exception {
        Path file = dir.resolve("17-report.txt");
        Files.writeString(file, "the report");
        connector.deliver(new OutboundMessage(8, "slack", "C1", "1.0", "Here is **the** report", null, file));

        assertThat(slack.calls("files.getUploadURLExternal")).singleElement().satisfies(c -> {
            assertThat(c.param("filename")).isEqualTo("report.txt");
            assertThat(c.param("length")).isEqualTo("10");
        });
        assertThat(slack.uploads()).singleElement().satisfies(u -> {
            assertThat(new String(u.bytes(), StandardCharsets.UTF_8)).isEqualTo("the report");
            assertThat(u.title()).isEqualTo("report.txt");
            assertThat(u.channel()).isEqualTo("C1");
            assertThat(u.threadTs()).isEqualTo("1.0");
            assertThat(u.comment()).isEqualTo("Here is *the* report");
        });
        assertThat(slack.posted()).isEmpty();
    }

    @Test
    void aFileThatIsGoneIsPermanent() {
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(9, "slack", "C1", "1.0", "x", null,
                dir.resolve("missing.txt")))).isInstanceOfSatisfying(DeliveryException.class,
                e -> assertThat(e.permanent()).isTrue());
    }

    @Test
    void aStatusMessageIsPostedUpdatedInPlaceAndDeleted() {
        String ts = connector.progress("C1", "1700000000.000100", "⏳ Working… bash: sleep 10");
        assertThat(ts).isNotNull();
        assertThat(slack.posted("C1", "1700000000.000100")).extracting(FakeSlack.Posted::text)
                .containsExactly("⏳ Working… bash: sleep 10");
        connector.editProgress("C1", "1700000000.000100", ts, "⏳ Working… done with bash: sleep 10");
        assertThat(slack.updates()).extracting(FakeSlack.Update::ts).containsExactly(ts);
        assertThat(slack.liveMessages()).containsExactly(java.util.Map.entry("C1:" + ts,
                "⏳ Working… done with bash: sleep 10"));
        connector.clearProgress("C1", "1700000000.000100", ts);
        assertThat(slack.liveMessages()).isEmpty();
        connector.clearProgress("C1", "1700000000.000100", ts); // gone already: logged, not thrown

        connector.progress("C1", null, "⏳ Working… bash: echo '<!channel> <@U1>' && true");
        assertThat(slack.posted("C1", null).getLast().text())
                .isEqualTo("⏳ Working… bash: echo '&lt;!channel&gt; &lt;@U1&gt;' &amp;&amp; true");
    }
}
