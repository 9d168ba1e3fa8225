package dev.claw4j.telegram;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.core.connector.Cursor;
import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real connector and the real Telegram client library against the wire-level fake Bot API. */
class TelegramConnectorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CURSOR = "telegram:" + FakeBotApi.BOT_ID;

    @TempDir
    Path state;

    FakeBotApi api;
    RecordingInbox inbox = new RecordingInbox();
    final List<TelegramConnector> started = new ArrayList<>();

    @BeforeEach
    void fake() throws Exception {
        api = new FakeBotApi();
    }

    @AfterEach
    void stop() {
        started.forEach(TelegramConnector::close);
        api.close();
    }

    private TelegramConnector start() {
        return start(TelegramSettings.polling(FakeBotApi.TOKEN, api.url(), state).withPollTimeout(Duration.ofSeconds(2)));
    }

    private TelegramConnector start(TelegramSettings settings) {
        TelegramConnector c = new TelegramConnector(settings);
        c.start(inbox);
        started.add(c);
        return c;
    }

    private InboundMessage receive(ObjectNode message) {
        int before = inbox.received.size();
        api.send(message);
        await().atMost(WAIT).until(() -> inbox.received.size() > before);
        return inbox.received.get(before);
    }

    @Test
    void aPrivateChatMessageIsDirectAndCarriesWhoAndWhere() {
        start();
        assertThat(api.calls("deleteWebhook")).hasSize(1); // polling clears a webhook left behind
        InboundMessage m = receive(api.dm(4242, "Alice", "hello there"));
        assertThat(m.platform()).isEqualTo("telegram");
        assertThat(m.kind()).isEqualTo(ChatKind.DIRECT);
        assertThat(m.chatId()).isEqualTo("4242");
        assertThat(m.senderId()).isEqualTo("4242");
        assertThat(m.senderName()).isEqualTo("Alice (@alice)");
        assertThat(m.text()).isEqualTo("hello there");
        assertThat(m.threadId()).isNull();
        assertThat(m.platformMessageId()).matches("4242:\\d+");
        assertThat(m.mentionsBot()).isFalse();
    }

    @Test
    void groupMessagesAreAddressedOnlyByMentionReplyOrCommandForTheBot() {
        start();
        long chat = -100123;
        InboundMessage plain = receive(api.group(chat, 7, "Carol", "just chatting about claw4j_test_bot"));
        assertThat(plain.kind()).isEqualTo(ChatKind.GROUP);
        assertThat(plain.mentionsBot()).isFalse();

        InboundMessage other = receive(api.group(chat, 7, "Carol", "@someone_else look"));
        assertThat(other.mentionsBot()).isFalse();

        InboundMessage mention = receive(api.group(chat, 7, "Carol", "@claw4j_test_bot what is 2+2?"));
        assertThat(mention.mentionsBot()).isTrue();
        assertThat(mention.text()).isEqualTo("what is 2+2?");

        InboundMessage midMention = receive(api.group(chat, 7, "Carol", "hey @Claw4j_Test_Bot, look"));
        assertThat(midMention.mentionsBot()).isTrue();

        InboundMessage reply = receive(api.replyingToBot(api.group(chat, 8, "Dan", "and then?"), 101));
        assertThat(reply.mentionsBot()).isTrue();
        assertThat(reply.text()).isEqualTo("and then?");

        InboundMessage command = receive(api.group(chat, 8, "Dan", "/reset@claw4j_test_bot"));
        assertThat(command.mentionsBot()).isTrue();
        assertThat(command.text()).isEqualTo("/reset"); // the host's commands read the same on every platform

        InboundMessage otherBotsCommand = receive(api.group(chat, 8, "Dan", "/start@other_bot"));
        assertThat(otherBotsCommand.mentionsBot()).isFalse();
        assertThat(inbox.received).extracting(InboundMessage::platformMessageId).doesNotHaveDuplicates();
    }

    @Test
    void forumTopicsAreThreadsAndRepliesGoBackIntoTheTopic() throws Exception {
        TelegramConnector c = start();
        long chat = -100777;
        InboundMessage m = receive(api.topic(chat, 55, 9, "Erin", "@claw4j_test_bot status?"));
        assertThat(m.threadId()).isEqualTo("55");
        assertThat(m.mentionsBot()).isTrue();
        // the topic's service reply is not a reply to the bot
        InboundMessage unaddressed = receive(api.topic(chat, 55, 9, "Erin", "talking among ourselves"));
        assertThat(unaddressed.mentionsBot()).isFalse();

        c.deliver(new OutboundMessage(1, "telegram", m.chatId(), m.threadId(), "all **good**", m.platformMessageId()));
        FakeBotApi.Call sent = api.sentTo(String.valueOf(chat)).getLast();
        assertThat(sent.param("message_thread_id")).isEqualTo("55");
        assertThat(sent.params().path("reply_parameters").path("message_id").asText())
                .isEqualTo(m.platformMessageId().split(":")[1]);
        assertThat(sent.param("parse_mode")).isEqualToIgnoringCase("HTML");
        assertThat(sent.param("text")).isEqualTo("all <b>good</b>");
    }

    @Test
    void privateRepliesDoNotQuoteTheMessageTheyAnswer() throws Exception {
        TelegramConnector c = start();
        InboundMessage m = receive(api.dm(31, "Frank", "hi"));
        c.deliver(new OutboundMessage(2, "telegram", "31", null, "hello", m.platformMessageId()));
        FakeBotApi.Call sent = api.sentTo("31").getLast();
        assertThat(sent.params().has("reply_parameters")).isFalse();
        assertThat(sent.params().has("message_thread_id")).isFalse();
    }

    @Test
    void photosAndDocumentsArriveAsAttachmentsWithTheirBytes() {
        start();
        byte[] photo = "JPEG-BYTES-largest".getBytes(StandardCharsets.UTF_8);
        InboundMessage withPhoto = receive(api.withPhoto(api.dm(50, "Gina", "look at this"), photo));
        assertThat(withPhoto.text()).isEqualTo("look at this"); // the caption
        assertThat(withPhoto.attachments()).singleElement().satisfies(a -> {
            assertThat(a.content()).isEqualTo(photo); // the largest size, not a thumbnail
            assertThat(a.mimeType()).isEqualTo("image/jpeg");
            assertThat(a.fileName()).endsWith(".jpg");
        });

        byte[] pdf = "%PDF-1.7 report".getBytes(StandardCharsets.UTF_8);
        InboundMessage withDoc = receive(api.withDocument(
                api.group(-100900, 50, "Gina", "@claw4j_test_bot summarise"), "report.pdf", "application/pdf", pdf,
                pdf.length));
        assertThat(withDoc.text()).isEqualTo("summarise");
        assertThat(withDoc.attachments()).singleElement().satisfies(a -> {
            assertThat(a.fileName()).isEqualTo("report.pdf");
            assertThat(a.mimeType()).isEqualTo("application/pdf");
            assertThat(a.content()).isEqualTo(pdf);
        });
        // downloads went through getFile and /file/bot<token>/<file_path>
        assertThat(api.calls("getFile")).hasSize(2);
        assertThat(api.calls("file")).extracting(c -> c.param("path")).contains("documents/report.pdf");
    }

    @Test
    void aFileOverTheLimitIsNotDownloadedAndTheTextSaysSo() {
        start();
        InboundMessage m = receive(api.withDocument(api.dm(51, "Hal", "big one"), "huge.iso", "application/x-iso",
                new byte[10], Attachment.MAX_BYTES + 1L));
        assertThat(m.attachments()).isEmpty();
        assertThat(m.text()).startsWith("big one").contains("huge.iso was not saved").contains("20 MiB");
        assertThat(api.calls("getFile")).isEmpty();
    }

    @Test
    void groupFilesNotMeantForTheBotAreNotDownloaded() {
        start();
        InboundMessage m = receive(api.withPhoto(api.group(-100901, 52, "Ian", "holiday"), new byte[] {9}));
        assertThat(m.mentionsBot()).isFalse();
        assertThat(m.attachments()).isEmpty();
        assertThat(api.calls("getFile")).isEmpty();
    }

    @Test
    void aTenThousandCharacterAnswerIsSplitIntoWellFormedPartsWithNothingLost() throws Exception {
        TelegramConnector c = start();
        StringBuilder answer = new StringBuilder("Here is the **log** you asked for:\n```text\n");
        IntStream.range(0, 220).forEach(i -> answer.append("line ").append(i).append(" <tag> & \"quote\" ")
                .append("x".repeat(20)).append('\n'));
        answer.append("```\nAnd a second block:\n```python\n");
        IntStream.range(0, 60).forEach(i -> answer.append("print('row ").append(i).append("')\n"));
        answer.append("```\nDone.");
        assertThat(answer.length()).isGreaterThan(10_000);

        Delivered delivered = c.deliver(new OutboundMessage(3, "telegram", "-100555", null, answer.toString(),
                "-100555:7"));
        List<FakeBotApi.Call> parts = api.sentTo("-100555");
        assertThat(parts).hasSizeGreaterThanOrEqualTo(3);
        // one id per part, as the platform gave them, for the reply's row in the store
        assertThat(delivered.platformMessageIds()).hasSameSizeAs(parts).doesNotHaveDuplicates()
                .allMatch(id -> id.matches("-100555:[0-9]+"));
        // the fake refuses malformed HTML and over-long texts, so every part passed Telegram's own checks
        assertThat(api.calls("sendMessage")).hasSameSizeAs(parts);
        StringBuilder seen = new StringBuilder();
        for (FakeBotApi.Call part : parts) {
            String html = part.param("text");
            assertThat(html.length()).isLessThanOrEqualTo(4096);
            assertThat(count(html, "<pre>")).isEqualTo(count(html, "</pre>"));
            seen.append(FakeBotApi.visibleText(html)).append('\n');
        }
        // every line of every block arrived, once and in order
        String all = seen.toString();
        int at = 0;
        for (int i = 0; i < 220; i++) {
            int found = all.indexOf("line " + i + " <tag> & \"quote\" ", at);
            assertThat(found).as("line %d", i).isGreaterThanOrEqualTo(at);
            at = found + 1;
        }
        for (int i = 0; i < 60; i++) {
            assertThat(all).containsOnlyOnce("print('row " + i + "')");
        }
        assertThat(all).contains("Done.");
        // only the first part quotes the message it answers
        assertThat(parts.getFirst().params().has("reply_parameters")).isTrue();
        assertThat(parts.subList(1, parts.size())).noneMatch(p -> p.params().has("reply_parameters"));
    }

    @Test
    void a429StormBecomesRetryAfterAndTheRetryContinuesWithoutRepeatingParts() throws Exception {
        TelegramConnector c = start();
        String longAnswer = "a".repeat(4000) + "\n" + "b".repeat(4000) + "\n" + "c".repeat(100);
        OutboundMessage m = new OutboundMessage(11, "telegram", "77", null, longAnswer, null);
        // part 1 goes out, then Telegram refuses three times with retry_after
        api.passNext("sendMessage", 1);
        api.failNext("sendMessage", 3, 429, "Too Many Requests: retry after 7", 7);
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> c.deliver(m)).isInstanceOfSatisfying(DeliveryException.class, e -> {
                assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(7));
                assertThat(e.permanent()).isFalse();
            });
        }
        c.deliver(m); // the outbox's retry, after the storm
        assertThat(api.sentTo("77")).extracting(p -> p.param("text"))
                .containsExactly("a".repeat(4000), "b".repeat(4000), "c".repeat(100));
        assertThat(api.calls("sendMessage")).hasSize(6);
    }

    @Test
    void blockedByTheUserIsPermanent() {
        TelegramConnector c = start();
        api.failNext("sendMessage", 1, 403, "Forbidden: bot was blocked by the user", null);
        assertThatThrownBy(() -> c.deliver(new OutboundMessage(20, "telegram", "90", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).contains("403").contains("blocked");
                });
    }

    @Test
    void serverErrorsAreRetryableAndNetworkErrorsToo() throws Exception {
        TelegramConnector c = start();
        api.failNext("sendMessage", 1, 502, "Bad Gateway", null);
        assertThatThrownBy(() -> c.deliver(new OutboundMessage(21, "telegram", "91", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.retryAfter()).isNull(); // the outbox's own backoff applies
                });
        c.deliver(new OutboundMessage(21, "telegram", "91", null, "hi", null));
        assertThat(api.sentTo("91")).hasSize(1);

        api.close(); // Telegram unreachable
        assertThatThrownBy(() -> c.deliver(new OutboundMessage(22, "telegram", "91", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isFalse();
                    assertThat(e.getMessage()).doesNotContain(FakeBotApi.TOKEN);
                });
    }

    @Test
    void aSendAnsweredOkWithAnUnreadableResultIsDeliveredAndNeverSentAgain() throws Exception {
        TelegramConnector c = start();
        // Telegram posts the message and answers 200 "ok": true, with a result the library cannot read
        api.garbleNext("sendMessage", 1, "{\"ok\":true,\"result\":\"not a message object\"}");
        OutboundMessage m = new OutboundMessage(23, "telegram", "93", null, "hello once", null);
        // delivered: no exception, so the outbox marks it done and never retries it; its id is unknown
        assertThat(c.deliver(m).platformMessageIds()).isEmpty();
        assertThat(api.calls("sendMessage")).hasSize(1);
        assertThat(api.sentTo("93")).extracting(p -> p.param("text")).containsExactly("hello once");
    }

    @Test
    void anUnreadableAnswerToOnePartDoesNotRepeatItAndTheRestFollow() throws Exception {
        TelegramConnector c = start();
        api.garbleNext("sendMessage", 1, "<html>200 OK, but not JSON</html>");
        String twoParts = "a".repeat(4000) + "\n" + "b".repeat(100);
        Delivered delivered = c.deliver(new OutboundMessage(24, "telegram", "94", null, twoParts, null));
        assertThat(api.calls("sendMessage")).hasSize(2);
        assertThat(delivered.platformMessageIds()).as("only the readable answer has an id").singleElement()
                .satisfies(id -> assertThat(id).matches("94:[0-9]+"));
        assertThat(api.sentTo("94")).extracting(p -> p.param("text")).containsExactly("a".repeat(4000), "b".repeat(100));
    }

    @Test
    void aDocumentAnsweredOkWithAnUnreadableResultIsDeliveredOnce(@TempDir Path tmp) throws Exception {
        TelegramConnector c = start();
        Path file = tmp.resolve("notes.txt");
        Files.writeString(file, "notes");
        api.garbleNext("sendDocument", 1, "{\"ok\":true,\"result\":{\"message_id\":\"x\"}}");
        c.deliver(new OutboundMessage(25, "telegram", "95", null, "the notes", null, file));
        assertThat(api.calls("sendDocument")).hasSize(1);
    }

    @Test
    void aFailureSaysItsCauseHttpStatusTelegramsDescriptionOrTheNetworkError() throws Exception {
        TelegramConnector c = start();
        // a proxy in front of Telegram fails with its own page: no Telegram code, so the HTTP status is the cause
        api.rawNext("sendMessage", 1, 502, "<html><body>502 Bad Gateway</body></html>");
        assertThatThrownBy(() -> c.deliver(new OutboundMessage(26, "telegram", "96", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.getMessage()).contains("sendmessage").contains("HTTP 502").contains("without a Bot API "
                            + "answer").contains("Unable to deserialize response");
                    assertThat(e.permanent()).isFalse();
                });
        assertThat(api.sentTo("96")).isEmpty();
        // Telegram's own refusal: its code and description
        api.failNext("sendMessage", 1, 400, "Bad Request: chat not found", null);
        assertThatThrownBy(() -> c.deliver(new OutboundMessage(27, "telegram", "96", null, "hi", null)))
                .hasMessageContaining("400 Bad Request: chat not found");
        // no answer at all: what the network said
        api.close();
        assertThatThrownBy(() -> c.deliver(new OutboundMessage(28, "telegram", "96", null, "hi", null)))
                .isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.getMessage()).contains("no answer from the Bot API (").doesNotEndWith("()");
                    assertThat(e.getMessage()).doesNotContain(FakeBotApi.TOKEN);
                    assertThat(e.permanent()).isFalse();
                });
    }

    @Test
    void aGetMeAnsweredWithAnUnreadableBodyIsNotCalledUnreachable() {
        api.garbleNext("getMe", 3, "{\"ok\":true,\"result\":[1,2,3]}");
        TelegramConnector c = new TelegramConnector(TelegramSettings.polling(FakeBotApi.TOKEN, api.url(), state));
        assertThatThrownBy(() -> c.start(inbox)).hasMessageContaining("answered getMe, but not as the Bot API does")
                .hasMessageContaining("HTTP 200").hasMessageContaining("Unable to deserialize response")
                .hasMessageNotContaining("cannot reach").hasMessageContaining("connectors.telegram.apiUrl");
        c.close();
        assertThat(api.calls("getMe")).hasSize(1); // an answer that cannot be read will not be better in a second
    }

    @Test
    void aParseErrorIsResentAsPlainText() throws Exception {
        TelegramConnector c = start();
        api.failNext("sendMessage", 1, 400, "Bad Request: can't parse entities: unsupported start tag \"x\"", null);
        c.deliver(new OutboundMessage(30, "telegram", "92", null, "some **bold** words", null));
        List<FakeBotApi.Call> calls = api.calls("sendMessage");
        assertThat(calls).hasSize(2);
        assertThat(calls.get(0).param("parse_mode")).isEqualToIgnoringCase("HTML");
        assertThat(calls.get(1).param("parse_mode")).isNull();
        assertThat(calls.get(1).param("text")).isEqualTo("some **bold** words");
    }

    @Test
    void aFileGoesOutWithSendDocumentAndItsCaption(@TempDir Path tmp) throws Exception {
        TelegramConnector c = start();
        Path file = tmp.resolve("1712-chart.png");
        Files.write(file, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2});
        c.deliver(new OutboundMessage(40, "telegram", "-100300", "12", "the _chart_", "-100300:5", file));
        FakeBotApi.Call call = api.calls("sendDocument").getFirst();
        assertThat(call.files().get("document").fileName()).isEqualTo("chart.png");
        assertThat(call.files().get("document").content()).isEqualTo(Files.readAllBytes(file));
        assertThat(call.param("caption")).isEqualTo("the <i>chart</i>");
        assertThat(call.param("parse_mode")).isEqualToIgnoringCase("HTML");
        assertThat(call.param("chat_id")).isEqualTo("-100300");
        assertThat(call.param("message_thread_id")).isEqualTo("12");
        assertThat(api.calls("sendMessage")).isEmpty();
    }

    @Test
    void typingIsRepeatedWhileTheAgentWorksAndStopsAfter() throws Exception {
        TelegramConnector c = start();
        c.working("-100400", "3", true);
        await().atMost(WAIT).until(() -> api.calls("sendChatAction").size() >= 2); // now, and ~4 s later
        c.working("-100400", "3", false);
        int sent = api.calls("sendChatAction").size();
        Thread.sleep(4500);
        assertThat(api.calls("sendChatAction")).hasSize(sent);
        FakeBotApi.Call action = api.calls("sendChatAction").getFirst();
        assertThat(action.param("action")).isEqualTo("typing");
        assertThat(action.param("chat_id")).isEqualTo("-100400");
        assertThat(action.param("message_thread_id")).isEqualTo("3");
    }

    @Test
    void aRestartInTheMiddleOfPollingNeitherLosesNorRepeatsUpdates() throws Exception {
        TelegramConnector first = start();
        for (int i = 0; i < 5; i++) {
            api.send(api.dm(60, "Jo", "before " + i));
        }
        await().atMost(WAIT).until(() -> inbox.received.size() == 5);
        await().atMost(WAIT).until(() -> api.activePolls() == 1); // waiting in a long poll
        first.close();
        started.remove(first);
        // while the bot is down, more arrive; the first five are still unconfirmed on Telegram's side
        for (int i = 0; i < 3; i++) {
            api.send(api.dm(60, "Jo", "during " + i));
        }
        assertThat(inbox.cursor(CURSOR)).as("the offset is in the host's store").isPresent();
        assertThat(state.resolve("telegram-" + FakeBotApi.BOT_ID + ".offset")).as("and in no file").doesNotExist();

        start();
        await().atMost(WAIT).until(() -> inbox.received.size() >= 8);
        Thread.sleep(500); // room for a repeat to show up
        assertThat(inbox.received).extracting(InboundMessage::text).containsExactly("before 0", "before 1",
                "before 2", "before 3", "before 4", "during 0", "during 1", "during 2");
        // the restart confirmed what was handled: Telegram has nothing left to send
        await().atMost(WAIT).until(() -> api.pendingUpdates() == 0);
    }

    @Test
    void everyMessageIsStoredWithTheCursorPastItsUpdateAndOtherUpdatesMoveTheCursorAlone() {
        start();
        long first = api.send(api.dm(63, "Ola", "one"));
        long edit = api.sendEdit(api.dm(63, "Ola", "one, edited"));
        long second = api.send(api.dm(63, "Ola", "two"));
        await().atMost(WAIT).until(() -> inbox.received.size() == 2 && inbox.cursor(CURSOR).orElse(0) == second + 1);
        assertThat(inbox.received).extracting(InboundMessage::text).containsExactly("one", "two");
        assertThat(inbox.cursorsWithMessages).containsExactly(new Cursor(CURSOR, first + 1),
                new Cursor(CURSOR, second + 1));
        assertThat(inbox.advancedAlone).containsExactly(new Cursor(CURSOR, edit + 1));
    }

    @Test
    void aStartResumesFromTheStoredCursor() {
        api.send(api.dm(64, "Pia", "handled by the last run"));
        long next = api.send(api.dm(64, "Pia", "not yet"));
        inbox.cursors.put(CURSOR, next); // the last run stored the first message with this cursor
        start();
        await().atMost(WAIT).until(() -> inbox.received.size() == 1);
        assertThat(inbox.last().text()).isEqualTo("not yet");
        assertThat(api.calls("getUpdates").getFirst().param("offset")).isEqualTo(Long.toString(next));
    }

    @Test
    void anOffsetFileOfAnEarlierVersionIsTakenIntoTheStoreOnce() throws Exception {
        api.send(api.dm(65, "Rui", "handled by the old version"));
        long next = api.send(api.dm(65, "Rui", "new"));
        Path file = state.resolve("telegram-" + FakeBotApi.BOT_ID + ".offset");
        Files.writeString(file, Long.toString(next));
        TelegramConnector c = start();
        await().atMost(WAIT).until(() -> inbox.received.size() == 1);
        assertThat(inbox.last().text()).isEqualTo("new");
        assertThat(inbox.advancedAlone).as("taken into the store before the first poll").first()
                .isEqualTo(new Cursor(CURSOR, next));
        assertThat(file).as("used once").doesNotExist();
        c.close();
        started.remove(c);

        // from now on the store is the only truth: a file that turns up again is not read
        Files.writeString(file, "1");
        long later = api.send(api.dm(65, "Rui", "later"));
        start();
        await().atMost(WAIT).until(() -> inbox.received.size() == 2);
        assertThat(inbox.last().text()).isEqualTo("later");
        assertThat(inbox.cursor(CURSOR)).hasValue(later + 1);
    }

    @Test
    void anUpdateTheHostCouldNotTakeIsNotConfirmedAndComesAgain() {
        start();
        inbox.failWith = new IllegalStateException("store is down");
        api.send(api.dm(61, "Kim", "are you there?"));
        await().atMost(WAIT).until(() -> api.calls("getUpdates").size() >= 2);
        inbox.failWith = null;
        await().atMost(WAIT).until(() -> inbox.received.size() == 1);
        assertThat(inbox.last().text()).isEqualTo("are you there?");
    }

    @Test
    void polling429WaitsRetryAfterAndServerErrorsBackOff() {
        start();
        api.failNext("getUpdates", 1, 429, "Too Many Requests: retry after 1", 1);
        api.failNext("getUpdates", 1, 502, "Bad Gateway", null);
        api.send(api.dm(62, "Lee", "still polling?"));
        await().atMost(WAIT).until(() -> inbox.received.size() == 1);
        List<FakeBotApi.Call> polls = api.calls("getUpdates");
        // after the 429 the next poll waited at least retry_after (the 429 is not always the first poll: one may
        // already have been waiting when the failures were queued)
        FakeBotApi.Call tooMany = api.refused("getUpdates").getFirst();
        FakeBotApi.Call next = polls.get(polls.indexOf(tooMany) + 1);
        assertThat(Duration.between(tooMany.at(), next.at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aBadTokenIsAClearStartError() {
        TelegramConnector c = new TelegramConnector(
                TelegramSettings.polling("987654321:AAWrongTokenWrongTokenWrong", api.url(), state));
        assertThatThrownBy(() -> c.start(inbox)).hasMessage(
                "telegram: the bot token was refused (401 from getMe); check connectors.telegram.token");
        c.close();
        assertThat(api.calls("getUpdates")).isEmpty();
    }

    @Test
    void anUnreachableApiIsAClearStartError() {
        String url = api.url();
        api.close();
        TelegramConnector c = new TelegramConnector(TelegramSettings.polling(FakeBotApi.TOKEN, url, state));
        assertThatThrownBy(() -> c.start(inbox)).hasMessageStartingWith("telegram: cannot reach the Bot API at " + url)
                .hasMessageContaining("connectors.telegram.apiUrl");
        c.close();
    }

    @Test
    void webhookModeRefusesRequestsWithoutTheSecretAndTakesTheRightOnes() throws Exception {
        TelegramSettings settings = new TelegramSettings(FakeBotApi.TOKEN, api.url(), TelegramSettings.Mode.WEBHOOK,
                "https://bot.example.org/telegram/webhook", "s3cret-Token_1-long-enough", "127.0.0.1", 0, null, state, null,
                null);
        TelegramConnector c = start(settings);
        assertThat(api.webhookUrl()).isEqualTo("https://bot.example.org/telegram/webhook");
        assertThat(api.webhookSecret()).isEqualTo("s3cret-Token_1-long-enough");
        assertThat(api.calls("getUpdates")).isEmpty();

        URI hook = URI.create("http://127.0.0.1:" + c.webhookPort() + "/telegram/webhook");
        String update = api.updateFor(api.dm(70, "Max", "via webhook")).toString();
        HttpClient http = HttpClient.newHttpClient();
        assertThat(post(http, hook, update, null).statusCode()).isEqualTo(401);
        assertThat(post(http, hook, update, "wrong").statusCode()).isEqualTo(401);
        assertThat(inbox.refusals).hasSize(2).allMatch(r -> r.startsWith("telegram: webhook request"));
        assertThat(inbox.received).isEmpty();

        inbox.delayMillis = 400; // a slow commit: the 200 must wait for it, or Telegram forgets an unstored update
        assertThat(post(http, hook, update, "s3cret-Token_1-long-enough").statusCode()).isEqualTo(200);
        inbox.delayMillis = 0;
        assertThat(inbox.received).singleElement().satisfies(m -> {
            assertThat(m.text()).isEqualTo("via webhook");
            assertThat(m.kind()).isEqualTo(ChatKind.DIRECT);
        });
        // Telegram redelivers when unsure: the same update again is harmless (the host deduplicates by id)
        assertThat(post(http, hook, update, "s3cret-Token_1-long-enough").statusCode()).isEqualTo(200);
        assertThat(inbox.received.get(1).platformMessageId()).isEqualTo(inbox.received.get(0).platformMessageId());

        inbox.failWith = new IllegalStateException("store is down");
        assertThat(post(http, hook, update, "s3cret-Token_1-long-enough").statusCode()).isEqualTo(500); // Telegram retries
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String body, String secret) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) {
            b.header(WebhookServer.SECRET_HEADER, secret);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void aStatusMessageIsSentQuietlyEditedInPlaceAndDeleted() {
        TelegramConnector c = start();
        String handle = c.progress("4242", null, "⏳ Working… bash: sleep 10");
        assertThat(handle).isNotNull();
        assertThat(api.calls("sendMessage").getLast().param("disable_notification")).isEqualTo("true");
        c.editProgress("4242", null, handle, "⏳ Working… done with bash: sleep 10");
        assertThat(api.liveMessages()).containsExactly(java.util.Map.entry("4242:" + handle,
                "⏳ Working… done with bash: sleep 10"));
        c.clearProgress("4242", null, handle);
        assertThat(api.calls("editMessageText")).hasSize(1);
        assertThat(api.calls("deleteMessage")).hasSize(1);
        assertThat(api.liveMessages()).isEmpty();
    }

    @Test
    void aStatusMessageThatFailsIsNotAnError() {
        TelegramConnector c = start();
        api.failNext("sendMessage", 1, 403, "Forbidden: bot was blocked by the user", null);
        assertThat(c.progress("4242", null, "⏳ Working…")).isNull();
        c.editProgress("4242", null, "999", "x"); // the fake answers 400: not found; nothing thrown
        c.clearProgress("4242", null, "999");
    }

    /** One host's door into the store the hosts share: records what this host stored. */
    private static final class HostDoor implements dev.claw4j.core.connector.Inbox {
        private final RecordingInbox store;
        final List<String> stored = new java.util.concurrent.CopyOnWriteArrayList<>();

        HostDoor(RecordingInbox store) {
            this.store = store;
        }

        @Override
        public dev.claw4j.core.connector.Inbox.Accepted receive(InboundMessage message) {
            return receive(message, null);
        }

        @Override
        public dev.claw4j.core.connector.Inbox.Accepted receive(InboundMessage message, Cursor cursor) {
            var a = store.receive(message, cursor);
            stored.add(message.text());
            return a;
        }

        @Override
        public void advance(Cursor cursor) {
            store.advance(cursor);
        }

        @Override
        public java.util.OptionalLong cursor(String key) {
            return store.cursor(key);
        }

        @Override
        public List<dev.claw4j.core.model.ChatLine> history(String platform, String chatId) {
            return store.history(platform, chatId);
        }
    }

    @Test
    void onSeveralHostsOnlyTheLeaderPollsAndTheNextOneGoesOnFromTheStoredCursor() {
        var aLeads = new java.util.concurrent.atomic.AtomicBoolean(true);
        var bLeads = new java.util.concurrent.atomic.AtomicBoolean(false);
        HostDoor a = new HostDoor(inbox);
        HostDoor b = new HostDoor(inbox);
        for (var host : List.of(java.util.Map.entry(a, aLeads), java.util.Map.entry(b, bLeads))) {
            TelegramConnector c = new TelegramConnector(TelegramSettings.polling(FakeBotApi.TOKEN, api.url(), state)
                    .withPollTimeout(Duration.ofSeconds(2)));
            c.pollOnlyWhile(host.getValue()::get);
            c.start(host.getKey());
            started.add(c);
        }
        receive(api.dm(4242, "Alice", "first"));
        assertThat(a.stored).containsExactly("first");
        assertThat(b.stored).as("the host that does not lead").isEmpty();

        // A's leader lease lapses and B takes it: A's last long poll ends, then B polls on from the stored cursor
        aLeads.set(false);
        await().atMost(WAIT).until(() -> api.activePolls() == 0);
        bLeads.set(true);
        receive(api.dm(4242, "Alice", "second"));
        assertThat(b.stored).containsExactly("second");
        assertThat(a.stored).containsExactly("first");
        assertThat(inbox.received).extracting(InboundMessage::text).containsExactly("first", "second");
    }
}
