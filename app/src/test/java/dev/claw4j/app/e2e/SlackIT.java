package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.slack.FakeSlack;
import dev.claw4j.slack.MessageSplitter;
import dev.claw4j.slack.SlackConnector;
import dev.claw4j.slack.SlackSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real host with real gVisor sandboxes and the scripted model, talking to Slack through the real connector
 * (real Bolt, Socket Mode) pointed at the wire-level fake Slack: what a person in a workspace would see.
 */
class SlackIT {
    private static final Duration TURN = Duration.ofSeconds(120);

    @TempDir
    Path data;

    private FakeSlack slack;

    @BeforeEach
    void fake() throws Exception {
        slack = new FakeSlack().user("UANA", "Ana").user("UBEN", "Ben").channel("C1", "general");
    }

    @AfterEach
    void stop() {
        slack.close();
    }

    private RunningHost host(String binding) throws Exception {
        SlackConnector connector = new SlackConnector(SlackSettings.socket(FakeSlack.BOT_TOKEN, FakeSlack.APP_TOKEN)
                .withApiUrl(slack.apiUrl()));
        RunningHost host = new RunningHost(data, 4, "1m", "2m", List.of(connector), binding);
        slack.awaitSocketClient(Duration.ofSeconds(20));
        return host;
    }

    @Test
    void mentionsThreadsDirectMessagesRetriesLongAnswersAndRateLimits() throws Exception {
        try (RunningHost host = host("per-chat")) {
            // 1. a mention in a channel (it arrives as app_mention and as message) is answered once, in its thread
            String root = slack.nextTs();
            slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> hello from the channel", root, null));
            slack.sendEvent(FakeSlack.message("C1", "channel", "UANA", "<@UBOT> hello from the channel", root, null));
            List<FakeSlack.Posted> thread = awaitPosted("C1", root, 1);
            assertThat(thread.getFirst().text()).contains("You said").contains("Ana: hello from the channel");
            // the reply's row carries the channel:ts Slack gave it
            assertThat(deliveredIds(host, "slack", "C1")).containsExactly("C1:" + thread.getFirst().ts());
            // 👀 while working, then ✅ on the message that asked
            await().atMost(Duration.ofSeconds(10)).until(() -> slack.reactions()
                    .contains("+white_check_mark C1 " + root));
            assertThat(slack.reactions()).startsWith("+eyes C1 " + root);

            // 2. a follow-up in that thread, without a mention, reaches the agent and is answered in the thread
            slack.sendEvent(FakeSlack.message("C1", "channel", "UBEN", "and what about me?", slack.nextTs(), root));
            thread = awaitPosted("C1", root, 2);
            assertThat(thread.get(1).text()).contains("Ben: and what about me?");
            // chatter outside the thread is not for the bot: not answered, and never stored on the host
            slack.sendEvent(FakeSlack.message("C1", "channel", "UBEN", "lunch anyone?", slack.nextTs(), null));

            // 3. a DM needs no mention; the answer goes to the DM
            slack.sendEvent(FakeSlack.message("D1", "im", "UANA", "a private question", slack.nextTs(), null));
            assertThat(awaitPosted("D1", null, 1).getFirst().text()).contains("Ana: a private question");
            assertThat(host.claw4j.store().groups().groupForBinding("slack:chat:D1"))
                    .isNotEqualTo(host.claw4j.store().groups().groupForBinding("slack:chat:C1"));
            assertThat(host.model.rawRequests()).noneMatch(r -> r.contains("lunch anyone"));

            // 4. Slack redelivers an event (our ack was "late"): stored once, answered once
            String retried = slack.nextTs();
            var event = FakeSlack.appMention("C2", "UANA", "<@UBOT> answer me only once", retried, null);
            slack.sendEvent(event, "Ev-retried", 0);
            slack.sendEvent(event, "Ev-retried", 1);
            slack.sendEvent(event, "Ev-retried", 2);
            awaitPosted("C2", retried, 1);
            Thread.sleep(3_000); // time for a second answer, were there one
            assertThat(slack.posted("C2", retried)).hasSize(1);
            assertThat(host.model.rawRequests().stream().filter(r -> r.contains("answer me only once"))).hasSize(1);

            // 5. a 6,000-character answer with a code block: parts within Slack's limit, every part's fences balanced
            String longRoot = slack.nextTs();
            slack.sendEvent(FakeSlack.appMention("C3", "UANA", "<@UBOT> run: seq 1 1500", longRoot, null));
            await().atMost(TURN).until(() -> slack.posted("C3", longRoot).size() >= 2
                    && slack.posted("C3", longRoot).getLast().text().strip().endsWith("```"));
            List<FakeSlack.Posted> parts = slack.posted("C3", longRoot);
            assertThat(parts).allSatisfy(p -> {
                assertThat(p.text().length()).isLessThanOrEqualTo(MessageSplitter.DEFAULT_LIMIT);
                assertThat(p.text().split("```", -1).length % 2).as("balanced fences").isEqualTo(1);
            });
            assertThat(parts.getFirst().text()).startsWith("Here is what `seq 1 1500` printed:\n```\n1\n2\n3\n");
            String joined = String.join("\n", parts.stream().map(FakeSlack.Posted::text).toList());
            for (int i = 1; i <= 1500; i++) {
                assertThat(joined).contains("\n" + i + "\n");
            }

            // 6. a 429 storm on chat.postMessage: the reply is delivered once, after Retry-After
            slack.failNext("chat.postMessage", 3, 429, 1);
            String stormRoot = slack.nextTs();
            long asked = System.nanoTime();
            slack.sendEvent(FakeSlack.appMention("C4", "UANA", "<@UBOT> through the storm", stormRoot, null));
            List<FakeSlack.Posted> stormed = awaitPosted("C4", stormRoot, 1);
            assertThat(stormed.getFirst().text()).contains("Ana: through the storm");
            assertThat(Duration.ofNanos(System.nanoTime() - asked)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
            Thread.sleep(2_000);
            assertThat(slack.posted("C4", stormRoot)).hasSize(1);
            assertThat(slack.calls("chat.postMessage").stream().filter(c -> stormRoot.equals(c.param("thread_ts"))))
                    .hasSize(4);
        }
    }

    @Test
    void perThreadBindingMakesEachThreadItsOwnAgent() throws Exception {
        try (RunningHost host = host("per-thread")) {
            String first = slack.nextTs();
            String second = slack.nextTs();
            slack.sendEvent(FakeSlack.appMention("C1", "UANA", "<@UBOT> run: echo one &gt; note.txt &amp;&amp; cat note.txt",
                    first, null));
            slack.sendEvent(FakeSlack.appMention("C1", "UBEN", "<@UBOT> run: cat note.txt 2>&1; echo checked",
                    second, null));
            assertThat(awaitPosted("C1", first, 1).getFirst().text()).contains("one");
            assertThat(awaitPosted("C1", second, 1).getFirst().text()).contains("checked")
                    .contains("No such file");

            String groupOne = host.claw4j.store().groups().groupForBinding("slack:thread:C1/" + first).orElseThrow();
            String groupTwo = host.claw4j.store().groups().groupForBinding("slack:thread:C1/" + second).orElseThrow();
            assertThat(groupOne).isNotEqualTo(groupTwo);

            // a follow-up in the first thread goes to the first thread's agent, which still has its file
            slack.sendEvent(FakeSlack.message("C1", "channel", "UANA", "run: cat note.txt", slack.nextTs(), first));
            assertThat(awaitPosted("C1", first, 2).get(1).text()).contains("one");
            assertThat(host.claw4j.store().groups().groupForBinding("slack:thread:C1/" + first)).contains(groupOne);
        }
    }

    private List<FakeSlack.Posted> awaitPosted(String channel, String threadTs, int n) {
        await().atMost(TURN).pollInterval(Duration.ofMillis(200))
                .until(() -> slack.posted(channel, threadTs).size() >= n);
        return slack.posted(channel, threadTs);
    }

    /** The platform ids stored with the chat's delivered replies, once every reply there is delivered. */
    private static List<String> deliveredIds(RunningHost host, String platform, String chatId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> host.claw4j.store().messages().history(platform, chatId).stream()
                .filter(l -> l.direction().equals("out")).allMatch(l -> l.status().equals("DELIVERED")));
        return host.claw4j.store().messages().history(platform, chatId).stream().filter(l -> l.direction().equals("out"))
                .flatMap(l -> host.claw4j.store().outbox().platformReplyIds(l.id()).stream()).toList();
    }
}
