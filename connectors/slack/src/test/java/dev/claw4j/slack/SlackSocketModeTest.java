package dev.claw4j.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The real connector on real Bolt in Socket Mode, against the wire-level fake: events in, acks out. */
class SlackSocketModeTest {
    private FakeSlack slack;
    private SlackConnector connector;
    private final RecordingInbox inbox = new RecordingInbox();

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack().user("UANA", "Ana").user("UBEN", "Ben").channel("C1", "general");
        connector = new SlackConnector(SlackSettings.socket(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN)
                .withApiUrl(slack.apiUrl()));
        connector.start(inbox);
        slack.awaitSocketClient(Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        connector.close();
        slack.close();
    }

    @Test
    void aMentionInAChannelStartsAThreadUnderItAndIsAcked() {
        String ts = slack.nextTs();
        String envelope = slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> what is up?", ts, null));

        InboundMessage m = awaitReceived(1).getFirst();
        assertThat(m.platform()).isEqualTo("slack");
        assertThat(m.chatId()).isEqualTo("C1");
        assertThat(m.threadId()).isEqualTo(ts);
        assertThat(m.senderId()).isEqualTo("UANA");
        assertThat(m.senderName()).isEqualTo("Ana");
        assertThat(m.text()).isEqualTo("what is up?");
        assertThat(m.platformMessageId()).isEqualTo("C1:" + ts);
        assertThat(m.kind()).isEqualTo(ChatKind.GROUP);
        assertThat(m.mentionsBot()).isTrue();
        assertThat(m.receivedAt().getEpochSecond()).isEqualTo(Long.parseLong(ts.substring(0, ts.indexOf('.'))));
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.acks().contains(envelope));
    }

    @Test
    void theEnvelopeIsAckedOnlyOnceTheMessageIsStoredAndNotAtAllWhenItCannotBe() throws Exception {
        inbox.delayMillis = 500; // a slow commit
        String envelope = slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> first", slack.nextTs(), null));
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.acks().contains(envelope));
        assertThat(inbox.received()).as("stored when the ack went out").hasSize(1);

        inbox.delayMillis = 0;
        inbox.failWith = new IllegalStateException("store is down");
        var second = FakeSlack.appMention("C1", "UANA", "<@UBOT> second", slack.nextTs(), null);
        String refused = slack.sendEvent(second, "EvDown", 0);
        Thread.sleep(1_000);
        assertThat(slack.acks()).as("not stored, not acked: Slack sends it again").doesNotContain(refused);
        inbox.failWith = null;
        String redelivered = slack.sendEvent(second, "EvDown", 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.acks().contains(redelivered));
        assertThat(inbox.stored()).extracting(InboundMessage::text).containsExactly("first", "second");
    }

    @Test
    void aFollowUpInAMentionedThreadReachesTheBotWithoutAMention() {
        String root = slack.nextTs();
        slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> start", root, null));
        // the same message also arrives as a plain message event: it must look identical (one stored message)
        slack.sendEvent(FakeSlack.message("C1", "channel", "UANA", "<@UBOT> start", root, null));
        String reply = slack.nextTs();
        slack.sendEvent(FakeSlack.message("C1", "channel", "UBEN", "and another thing", reply, root));
        String elsewhere = slack.nextTs();
        slack.sendEvent(FakeSlack.message("C1", "channel", "UBEN", "unrelated chatter", elsewhere, null));

        String last = slack.nextTs();
        slack.sendEvent(FakeSlack.message("C1", "channel", "UANA", "<@UBOT> are you there?", last, null));

        List<InboundMessage> all = awaitReceived(4);
        assertThat(all.get(0)).isEqualTo(all.get(1)); // app_mention and message: same platform id, same content
        InboundMessage followUp = all.get(2);
        assertThat(followUp.threadId()).isEqualTo(root);
        assertThat(followUp.mentionsBot()).isTrue();
        assertThat(followUp.senderName()).isEqualTo("Ben");
        // channel talk not meant for the bot is not passed on (not stored on the host): the next one is 'last'
        assertThat(all.get(3).platformMessageId()).isEqualTo("C1:" + last);
        assertThat(all.get(3).mentionsBot()).isTrue(); // a mention seen only in a message event counts too
        assertThat(all.get(3).threadId()).isEqualTo(last);
    }

    @Test
    void stickyThreadsCanBeTurnedOff() throws Exception {
        connector.close();
        connector = new SlackConnector(SlackSettings.socket(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN)
                .withApiUrl(slack.apiUrl()).withStickyThreads(false));
        RecordingInbox second = new RecordingInbox();
        connector.start(second);
        await().atMost(Duration.ofSeconds(10)).until(() -> slack.socketConnections() == 2);
        String root = slack.nextTs();
        slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> start", root, null));
        slack.sendEvent(FakeSlack.message("C1", "channel", "UANA", "more", slack.nextTs(), root));
        String dm = slack.nextTs();
        slack.sendEvent(FakeSlack.message("D1", "im", "UANA", "marker", dm, null));
        await().atMost(Duration.ofSeconds(10)).until(() -> second.received().size() == 2);
        // the unmentioned follow-up did not reach the host; the DM after it did
        assertThat(second.received()).extracting(InboundMessage::text).containsExactlyInAnyOrder("start", "marker");
    }

    @Test
    void aDirectMessageIsDirectAndNeedsNoMention() {
        String ts = slack.nextTs();
        slack.sendEvent(FakeSlack.message("D1", "im", "UANA", "hello bot, see <#C1> and <@UBEN>", ts, null));

        InboundMessage m = awaitReceived(1).getFirst();
        assertThat(m.kind()).isEqualTo(ChatKind.DIRECT);
        assertThat(m.chatId()).isEqualTo("D1");
        assertThat(m.threadId()).isNull(); // a top-level DM: the DM itself is the conversation
        assertThat(m.mentionsBot()).isFalse();
        assertThat(m.text()).isEqualTo("hello bot, see #general and @Ben");
    }

    @Test
    void aRedeliveredEventHasTheSamePlatformIdAndBothAreAcked() {
        String ts = slack.nextTs();
        var event = FakeSlack.appMention("C1", "UANA", "<@UBOT> once please", ts, null);
        String first = slack.sendEvent(event, "Ev-same", 0);
        String retry = slack.sendEvent(event, "Ev-same", 1);

        List<InboundMessage> all = awaitReceived(2);
        assertThat(all).extracting(InboundMessage::platformMessageId).containsExactly("C1:" + ts, "C1:" + ts);
        assertThat(inbox.stored()).hasSize(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.acks().containsAll(List.of(first, retry)));
    }

    @Test
    void namesAreResolvedOnceAndCached() {
        for (int i = 0; i < 3; i++) {
            slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> hi <@UBEN> in <#C1>", slack.nextTs(), null));
        }
        List<InboundMessage> all = awaitReceived(3);
        assertThat(all).allSatisfy(m -> assertThat(m.text()).isEqualTo("hi @Ben in #general"));
        assertThat(slack.calls("users.info")).extracting(c -> c.param("user")).containsExactlyInAnyOrder("UANA", "UBEN");
        assertThat(slack.calls("conversations.info")).hasSize(1);
    }

    @Test
    void anUnknownUserFallsBackToTheId() {
        slack.sendEvent(FakeSlack.message("D2", "im", "UNOBODY", "hi &lt;b&gt; &amp; <https://x.dev|x>", slack.nextTs(),
                null));
        InboundMessage m = awaitReceived(1).getFirst();
        assertThat(m.senderName()).isEqualTo("UNOBODY");
        assertThat(m.text()).isEqualTo("hi <b> & x (https://x.dev)");
    }

    @Test
    void sharedFilesAreDownloadedWithTheBotToken() {
        byte[] csv = "a,b\n1,2\n".getBytes(StandardCharsets.UTF_8);
        ObjectNode event = FakeSlack.message("D1", "im", "UANA", "here is the data", slack.nextTs(), null);
        event.put("subtype", "file_share");
        event.putArray("files").add(slack.file("F1", "data.csv", "text/csv", csv));
        slack.sendEvent(event);

        InboundMessage m = awaitReceived(1).getFirst();
        assertThat(m.attachments()).hasSize(1);
        assertThat(m.attachments().getFirst().fileName()).isEqualTo("data.csv");
        assertThat(m.attachments().getFirst().mimeType()).isEqualTo("text/csv");
        assertThat(m.attachments().getFirst().content()).isEqualTo(csv);
        assertThat(m.text()).isEqualTo("here is the data");
    }

    @Test
    void aFileLinkOffSlackIsNotFetchedTheTokenStaysHomeAndTheMessageStillArrives() throws Exception {
        try (ForeignServer foreign = new ForeignServer()) {
            byte[] csv = "a,b\n".getBytes(StandardCharsets.UTF_8);
            // a remote file's url_private points wherever its creator said: here, a loopback server that is not Slack
            String stealing = foreign.url("/files-pri/T0FAKE-F9/evil.txt");
            ObjectNode evil = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode().put("id", "F9")
                    .put("name", "evil.txt").put("mimetype", "text/plain").put("size", 16)
                    .put("url_private", stealing).put("url_private_download", stealing);
            ObjectNode event = FakeSlack.message("D1", "im", "UANA", "two files", slack.nextTs(), null);
            event.put("subtype", "file_share");
            event.putArray("files").add(slack.file("F1", "data.csv", "text/csv", csv)).add(evil);
            slack.sendEvent(event);

            InboundMessage m = awaitReceived(1).getFirst();
            // the attack ran: the connector handled the foreign link, and said so to the audit trail
            assertThat(inbox.refusals).singleElement().satisfies(r -> assertThat(r).startsWith("slack: file F9 "
                    + "(evil.txt) shared by UANA in D1").contains("127.0.0.1:" + foreign.port())
                    .contains("not Slack").contains("the bot token was not sent"));
            // and it was contained: the foreign server got no request at all, so no token either
            assertThat(foreign.requests()).isZero();
            assertThat(foreign.requestsWithAuthorization()).isZero();
            // the person's message still arrives, with the Slack file, and a note the agent can read for the other
            assertThat(m.attachments()).extracting(Attachment::fileName).containsExactly("data.csv");
            assertThat(m.text()).startsWith("two files").contains("evil.txt was not fetched: its link points outside "
                    + "Slack");
            // the counter counts (so the zeros above mean something): a plain request reaches the server
            try (var http = java.net.http.HttpClient.newHttpClient()) {
                http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stealing)).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
            }
            assertThat(foreign.requests()).isEqualTo(1);
        }
    }

    @Test
    void aRedirectOffSlackIsNotFollowedWithTheToken() throws Exception {
        try (ForeignServer foreign = new ForeignServer()) {
            ObjectNode event = FakeSlack.message("D1", "im", "UANA", "moved file", slack.nextTs(), null);
            event.put("subtype", "file_share");
            event.putArray("files").add(slack.redirectingFile("F8", "moved.txt", "text/plain", foreign.url("/stolen")));
            slack.sendEvent(event);

            InboundMessage m = awaitReceived(1).getFirst();
            assertThat(inbox.refusals).singleElement().satisfies(r -> assertThat(r).contains("file F8 (moved.txt)")
                    .contains("download redirected to http://127.0.0.1:" + foreign.port()));
            assertThat(foreign.requests()).isZero();
            assertThat(m.attachments()).isEmpty();
            assertThat(m.text()).contains("moved.txt was not fetched");
        }
    }

    @Test
    void aFileOverTheCapIsNotDownloadedButNamedInTheText() {
        ObjectNode file = slack.file("F2", "huge.bin", "application/octet-stream", new byte[10]);
        file.put("size", 50L << 20); // what Slack says it is
        ObjectNode event = FakeSlack.message("D1", "im", "UANA", "", slack.nextTs(), null);
        event.put("subtype", "file_share");
        event.putArray("files").add(file);
        slack.sendEvent(event);

        InboundMessage m = awaitReceived(1).getFirst();
        assertThat(m.attachments()).isEmpty();
        assertThat(m.text()).contains("huge.bin").contains("not fetched").contains("20 MB");
    }

    @Test
    void ownMessagesAndOtherBotsAreIgnoredButAcked() {
        String own = slack.sendEvent(FakeSlack.message("C1", "channel", "UBOT", "my own reply", slack.nextTs(), null));
        ObjectNode bot = FakeSlack.message("C1", "channel", "UOTHER", "beep", slack.nextTs(), null);
        bot.put("subtype", "bot_message").put("bot_id", "B2");
        String other = slack.sendEvent(bot);
        String edit = slack.sendEvent(FakeSlack.message("C1", "channel", "UANA", "x", slack.nextTs(), null)
                .put("subtype", "message_changed"));
        slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> real", slack.nextTs(), null));

        awaitReceived(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.acks().containsAll(List.of(own, other, edit)));
        assertThat(inbox.received()).hasSize(1);
        assertThat(inbox.received().getFirst().text()).isEqualTo("real");
    }

    @Test
    void reactionsShowWorkThenDoneOnTheTriggeringMessage() {
        String root = slack.nextTs();
        slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> work", root, null));
        awaitReceived(1);
        connector.working("C1", root, true);
        connector.working("C1", root, false);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.reactions().size() == 3);
        assertThat(slack.reactions()).containsExactly("+eyes C1 " + root, "-eyes C1 " + root,
                "+white_check_mark C1 " + root);

        // a follow-up in the thread becomes the message the next turn's reactions go on
        String next = slack.nextTs();
        slack.sendEvent(FakeSlack.message("C1", "channel", "UANA", "more", next, root));
        awaitReceived(2);
        connector.working("C1", root, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.reactions().size() == 4);
        assertThat(slack.reactions().getLast()).isEqualTo("+eyes C1 " + next);
    }

    @Test
    void aFailedTurnEndsWithACrossInsteadOfACheck() {
        String root = slack.nextTs();
        slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> fail please", root, null));
        awaitReceived(1);
        connector.working("C1", root, true, false);
        connector.working("C1", root, false, true);
        await().atMost(Duration.ofSeconds(5)).until(() -> slack.reactions().size() == 3);
        assertThat(slack.reactions()).containsExactly("+eyes C1 " + root, "-eyes C1 " + root, "+x C1 " + root);
    }

    @Test
    void aRefusedBotTokenIsAClearStartError() {
        var bad = new SlackConnector(SlackSettings.socket("xoxb-wrong", FakeSlack.APP_TOKEN).withApiUrl(slack.apiUrl()));
        assertThatThrownBy(() -> bad.start(new RecordingInbox()))
                .hasMessage("slack: the bot token was refused (invalid_auth from auth.test); check "
                        + "connectors.slack.botToken");
    }

    @Test
    void aRefusedAppTokenIsAClearStartError() {
        var bad = new SlackConnector(SlackSettings.socket(FakeSlack.BOT_TOKEN, "xapp-wrong").withApiUrl(slack.apiUrl()));
        assertThatThrownBy(() -> bad.start(new RecordingInbox()))
                .hasMessageStartingWith("slack: could not open a Socket Mode connection")
                .hasMessageContaining("invalid_auth").hasMessageContaining("connectors.slack.appToken");
    }

    @Test
    void anUnreachableApiIsAClearStartError() {
        var bad = new SlackConnector(SlackSettings.socket(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN)
                .withApiUrl("http://127.0.0.1:1/api/"));
        assertThatThrownBy(() -> bad.start(new RecordingInbox()))
                .hasMessageStartingWith("slack: cannot reach the Slack API at http://127.0.0.1:1/api/");
    }

    private List<InboundMessage> awaitReceived(int n) {
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox.received().size() >= n);
        return inbox.received();
    }
}
