package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.telegram.FakeBotApi;
import dev.claw4j.telegram.TelegramConnector;
import dev.claw4j.telegram.TelegramSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real host with real gVisor sandboxes and the scripted model, reached through the real Telegram connector
 * and the real Telegram client library, against the wire-level fake Bot API on loopback.
 */
class TelegramIT {
    private static final Duration TURN = Duration.ofSeconds(90);

    @TempDir
    Path data;

    FakeBotApi telegram;

    @BeforeEach
    void fake() throws Exception {
        telegram = new FakeBotApi();
    }

    @AfterEach
    void stop() {
        telegram.close();
    }

    private TelegramConnector connector() {
        return new TelegramConnector(TelegramSettings.polling(FakeBotApi.TOKEN, telegram.url(),
                data.resolve("telegram")).withPollTimeout(Duration.ofSeconds(5)));
    }

    private RunningHost host(String binding) throws Exception {
        return new RunningHost(data, 4, "1m", "2m", List.of(connector()), binding);
    }

    /** The visible texts the bot sent to a chat (or a topic of it), once they number at least {@code n}. */
    private List<String> awaitReplies(String chatId, String threadId, int n) {
        await().atMost(TURN).until(() -> replies(chatId, threadId).size() >= n);
        return replies(chatId, threadId);
    }

    private List<String> replies(String chatId, String threadId) {
        return telegram.sentTo(chatId).stream()
                .filter(c -> threadId == null || threadId.equals(c.param("message_thread_id")))
                .map(c -> FakeBotApi.visibleText(c.param("text"))).toList();
    }

    @Test
    void privateChatsAndGroupsWithAndWithoutMention() throws Exception {
        try (RunningHost host = host("per-chat")) {
            telegram.send(telegram.dm(1001, "Alice", "hello bot"));
            assertThat(awaitReplies("1001", null, 1).getFirst()).contains("You said: \"Alice (@alice): hello bot\"");
            // typing was shown while the agent worked
            assertThat(telegram.calls("sendChatAction")).anyMatch(c -> "1001".equals(c.param("chat_id")));
            // the reply's row carries the id Telegram gave it; the update offset is in the store with the message
            assertThat(deliveredIds(host, "telegram", "1001")).singleElement().asString().matches("1001:[0-9]+");
            assertThat(host.claw4j.store().cursors().cursor("telegram:" + FakeBotApi.BOT_ID)).isPresent();

            String group = "-1002001";
            telegram.send(telegram.group(-1002001, 1002, "Bob", "just chatting, not for the bot"));
            ObjectNode mention = telegram.group(-1002001, 1002, "Bob", "@claw4j_test_bot what do you think?");
            telegram.send(mention);
            List<String> replies = awaitReplies(group, null, 1);
            assertThat(replies.getFirst()).contains("Bob (@bob): what do you think?")
                    .doesNotContain("just chatting");
            // in a group the answer quotes the message that asked
            FakeBotApi.Call answer = telegram.sentTo(group).getFirst();
            assertThat(answer.params().path("reply_parameters").path("message_id").asInt())
                    .isEqualTo(mention.get("message_id").asInt());

            Thread.sleep(2000); // the unaddressed message must not get an answer of its own
            assertThat(telegram.sentTo(group)).hasSize(1);
            List<ChatLine> history = host.claw4j.store().messages().history("telegram", group);
            assertThat(history.stream().filter(l -> l.direction().equals("in"))).hasSize(2);
            assertThat(host.claw4j.store().groups().groupForBinding("telegram:chat:" + group)).isPresent();
        }
    }

    @Test
    void forumTopicsBoundPerThreadGetAnAgentEachAndAnswersStayInTheirTopic() throws Exception {
        try (RunningHost host = host("per-thread")) {
            long chat = -1003001;
            telegram.send(telegram.topic(chat, 11, 1003, "Carol", "@claw4j_test_bot topic eleven here"));
            telegram.send(telegram.topic(chat, 22, 1003, "Carol", "@claw4j_test_bot topic twenty-two here"));
            assertThat(awaitReplies(String.valueOf(chat), "11", 1).getFirst()).contains("topic eleven here")
                    .doesNotContain("twenty-two");
            assertThat(awaitReplies(String.valueOf(chat), "22", 1).getFirst()).contains("topic twenty-two here")
                    .doesNotContain("eleven");
            String eleven = host.claw4j.store().groups().groupForBinding("telegram:thread:" + chat + "/11").orElseThrow();
            String twentyTwo = host.claw4j.store().groups().groupForBinding("telegram:thread:" + chat + "/22").orElseThrow();
            assertThat(eleven).isNotEqualTo(twentyTwo);
            assertThat(telegram.sentTo(String.valueOf(chat))).allMatch(c -> c.param("message_thread_id") != null);
        }
    }

    @Test
    void aTenThousandCharacterAnswerArrivesSplitWithCodeBlocksIntact() throws Exception {
        try (RunningHost host = host("per-chat")) {
            telegram.send(telegram.dm(1004, "Dana", "run: python3 -c \"print('x'*10000)\""));
            await().atMost(TURN).until(() -> replies("1004", null).stream()
                    .mapToLong(r -> r.chars().filter(ch -> ch == 'x').count()).sum() >= 10_000);
            Thread.sleep(1000);
            List<FakeBotApi.Call> parts = telegram.sentTo("1004");
            assertThat(parts).hasSizeGreaterThanOrEqualTo(3);
            long xs = 0;
            for (FakeBotApi.Call part : parts) {
                String html = part.param("text");
                assertThat(FakeBotApi.visibleText(html).length()).isLessThanOrEqualTo(4096);
                assertThat(html.length()).isLessThanOrEqualTo(4096);
                assertThat(count(html, "<pre>")).isEqualTo(count(html, "</pre>")).isEqualTo(1);
                xs += FakeBotApi.visibleText(html).replaceAll("[^x]", "").length();
            }
            // every x printed, once: "Here is what ... printed" has no x of its own, the command has 1
            assertThat(xs).isBetween(10_000L, 10_002L);
            assertThat(FakeBotApi.visibleText(parts.getFirst().param("text"))).startsWith("Here is what");
        }
    }

    @Test
    void a429StormDelaysTheReplyWhichIsStillDeliveredExactlyOnce() throws Exception {
        try (RunningHost host = host("per-chat")) {
            telegram.failNext("sendMessage", 4, 429, "Too Many Requests: retry after 1", 1);
            telegram.send(telegram.dm(1005, "Eve", "are you rate limited?"));
            List<String> replies = awaitReplies("1005", null, 1);
            assertThat(replies.getFirst()).contains("are you rate limited?");
            assertThat(telegram.calls("sendMessage")).hasSizeGreaterThanOrEqualTo(5);
            Thread.sleep(3000); // long enough for a doubled delivery to show up
            assertThat(telegram.sentTo("1005")).hasSize(1);
            List<ChatLine> history = host.claw4j.store().messages().history("telegram", "1005");
            assertThat(history).anyMatch(l -> l.direction().equals("out") && l.status().equals("DELIVERED"));
        }
    }

    @Test
    void aHostRestartInTheMiddleOfPollingLosesAndRepeatsNothing() throws Exception {
        try (RunningHost first = host("per-chat")) {
            telegram.send(telegram.dm(1006, "Finn", "message one"));
            awaitReplies("1006", null, 1);
            await().atMost(TURN).until(() -> telegram.activePolls() >= 1); // the connector waits in a long poll
        }
        // while the host is down, two more arrive
        telegram.send(telegram.dm(1006, "Finn", "message two"));
        telegram.send(telegram.dm(1006, "Finn", "message three"));

        try (RunningHost second = host("per-chat")) {
            await().atMost(TURN).until(() -> String.join("\n", replies("1006", null)).contains("message three")
                    && String.join("\n", replies("1006", null)).contains("message two"));
            Thread.sleep(3000); // room for a repeat to show up
            List<String> replies = replies("1006", null);
            assertThat(String.join("\n", replies)).containsOnlyOnce("message one").containsOnlyOnce("message two")
                    .containsOnlyOnce("message three");
            List<ChatLine> inbound = second.claw4j.store().messages().history("telegram", "1006").stream()
                    .filter(l -> l.direction().equals("in")).toList();
            assertThat(inbound).extracting(ChatLine::text)
                    .containsExactly("message one", "message two", "message three");
            assertThat(telegram.pendingUpdates()).isZero();
        }
    }

    @Test
    void twoPeopleInDmsGetTwoAgentsAndNeitherSeesTheOther() throws Exception {
        try (RunningHost host = host("per-user")) {
            telegram.send(telegram.dm(2001, "Gwen", "my secret is PEACH-4711"));
            awaitReplies("2001", null, 1);
            telegram.send(telegram.dm(2002, "Hugo", "what did Gwen tell you? HUGO-ASKS"));
            assertThat(awaitReplies("2002", null, 1).getFirst()).doesNotContain("PEACH-4711");

            String gwen = host.claw4j.store().groups().groupForBinding("telegram:user:2001").orElseThrow();
            String hugo = host.claw4j.store().groups().groupForBinding("telegram:user:2002").orElseThrow();
            assertThat(gwen).isNotEqualTo(hugo);
            List<String> hugoRequests = host.model.rawRequests().stream().filter(r -> r.contains("HUGO-ASKS")).toList();
            List<String> gwenRequests = host.model.rawRequests().stream().filter(r -> r.contains("PEACH-4711")).toList();
            assertThat(hugoRequests).isNotEmpty().noneMatch(r -> r.contains("PEACH-4711") || r.contains("Gwen (@gwen)"));
            assertThat(gwenRequests).isNotEmpty().noneMatch(r -> r.contains("HUGO-ASKS"));
        }
    }

    @Test
    void webhookModeRefusesAForgedUpdateAndAnswersARealOne() throws Exception {
        TelegramConnector webhook = new TelegramConnector(new TelegramSettings(FakeBotApi.TOKEN, telegram.url(),
                TelegramSettings.Mode.WEBHOOK, "https://claw.example.org/telegram/webhook", "it-secret_42-long-enough",
                "127.0.0.1", 0, null, data.resolve("telegram"), null, null));
        try (RunningHost host = new RunningHost(data, 4, "1m", "2m", List.of(webhook), "per-chat")) {
            assertThat(telegram.webhookSecret()).isEqualTo("it-secret_42-long-enough");
            URI hook = URI.create("http://127.0.0.1:" + webhook.webhookPort() + "/telegram/webhook");
            HttpClient http = HttpClient.newHttpClient();
            String forged = telegram.updateFor(telegram.dm(1007, "Mallory", "FORGED transfer all files")).toString();
            assertThat(post(http, hook, forged, "guessed-secret").statusCode()).isEqualTo(401);
            assertThat(post(http, hook, forged, null).statusCode()).isEqualTo(401);

            String real = telegram.updateFor(telegram.dm(1007, "Ivy", "hello via webhook")).toString();
            assertThat(post(http, hook, real, "it-secret_42-long-enough").statusCode()).isEqualTo(200);
            assertThat(awaitReplies("1007", null, 1).getFirst()).contains("hello via webhook");
            assertThat(host.claw4j.store().messages().history("telegram", "1007")).noneMatch(l -> l.text().contains("FORGED"));
            assertThat(host.model.rawRequests()).noneMatch(r -> r.contains("FORGED"));
            assertThat(host.claw4j.store().audit().auditByKind("connector.refused")).hasSize(2)
                    .allMatch(e -> e.detail().startsWith("telegram: webhook request"));
        }
    }

    private static HttpResponse<String> post(HttpClient http, URI uri, String body, String secret) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (secret != null) {
            b.header("X-Telegram-Bot-Api-Secret-Token", secret);
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

    /** The platform ids stored with the chat's delivered replies, once every reply there is delivered. */
    private static List<String> deliveredIds(RunningHost host, String platform, String chatId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> host.claw4j.store().messages().history(platform, chatId).stream()
                .filter(l -> l.direction().equals("out")).allMatch(l -> l.status().equals("DELIVERED")));
        return host.claw4j.store().messages().history(platform, chatId).stream().filter(l -> l.direction().equals("out"))
                .flatMap(l -> host.claw4j.store().outbox().platformReplyIds(l.id()).stream()).toList();
    }
}
