package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.model.ChatLine;
import dev.claw4j.discord.DiscordConnector;
import dev.claw4j.discord.DiscordSettings;
import dev.claw4j.discord.fake.FakeDiscord;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real host with real gVisor sandboxes and the scripted model, reached through the real JDA-based Discord
 * connector against the wire-level fake Discord (REST + Gateway) on loopback.
 */
class DiscordIT {
    private static final Duration TURN = Duration.ofSeconds(90);
    private static final String TOKEN = "fake-discord-token.it";
    private static final String ALICE = "1400000000000000001";
    private static final String BOB = "1400000000000000002";
    private static final String MENTION = "<@" + FakeDiscord.BOT_ID + "> ";

    @TempDir
    Path data;

    FakeDiscord discord;

    @BeforeEach
    void fake() throws Exception {
        discord = new FakeDiscord(TOKEN);
    }

    @AfterEach
    void stop() {
        discord.close();
    }

    private RunningHost host(String binding) throws Exception {
        DiscordConnector connector = new DiscordConnector(
                DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), discord.gatewayUrl()));
        return new RunningHost(data, 4, "1m", "2m", List.of(connector), binding);
    }

    private List<FakeDiscord.Sent> awaitSent(String channelId, int n) {
        await().atMost(TURN).until(() -> discord.sentTo(channelId).size() >= n);
        return discord.sentTo(channelId);
    }

    @Test
    void dmsAndMentionsAreAnsweredPlainMessagesIgnoredLongAnswersSplitAndNobodyPinged() throws Exception {
        try (RunningHost host = host("per-chat")) {
            String dmChannel = discord.dmChannel(ALICE, "alice");
            discord.dm(ALICE, "alice", "hello bot");
            assertThat(awaitSent(dmChannel, 1).getFirst().content()).contains("You said: \"").contains("hello bot");
            assertThat(discord.typing()).contains(dmChannel);

            // in a server: no mention, no answer; a mention is answered as a Discord reply to it
            String plain = discord.say(FakeDiscord.GENERAL, BOB, "bob", "just chatting, not for the bot");
            String ask = discord.say(FakeDiscord.GENERAL, BOB, "bob", MENTION + "what do you think?");
            FakeDiscord.Sent answer = awaitSent(FakeDiscord.GENERAL, 1).getFirst();
            assertThat(answer.repliesTo()).isEqualTo(ask);
            // the reply's row carries the message id Discord gave it
            assertThat(deliveredIds(host, "discord", FakeDiscord.GENERAL)).containsExactly(answer.messageId());
            assertThat(answer.content()).contains("what do you think?").doesNotContain("just chatting")
                    .doesNotContain(FakeDiscord.BOT_ID);
            assertThat(host.claw4j.store().groups().groupForBinding("discord:chat:" + FakeDiscord.GENERAL)).isPresent();
            assertThat(statusOf(host, FakeDiscord.GENERAL, "just chatting")).isEqualTo("IGNORED");
            assertThat(plain).isNotEqualTo(ask);

            // a 5,000-character answer with a code block, split into valid Discord messages
            String seq = discord.say(FakeDiscord.GENERAL, BOB, "bob", MENTION + "run: seq -w 1 1000");
            List<FakeDiscord.Sent> all = awaitSent(FakeDiscord.GENERAL, 4);
            List<FakeDiscord.Sent> parts = all.subList(1, all.size());
            assertThat(parts).hasSizeBetween(3, 4);
            assertThat(parts.getFirst().repliesTo()).isEqualTo(seq);
            StringBuilder numbers = new StringBuilder();
            for (FakeDiscord.Sent p : parts) {
                assertThat(p.content().length()).isLessThanOrEqualTo(2_000);
                assertThat(fences(p.content()) % 2).as("code fences balanced in part %s", p.content()).isZero();
                Matcher m = Pattern.compile("(?m)^\\d{4}$").matcher(p.content());
                while (m.find()) {
                    numbers.append(m.group()).append('\n');
                }
            }
            assertThat(parts.stream().mapToInt(p -> p.content().length()).sum()).isGreaterThan(5_000);
            String expected = java.util.stream.IntStream.rangeClosed(1, 1000)
                    .mapToObj(i -> String.format("%04d%n", i)).reduce("", String::concat);
            assertThat(numbers.toString()).as("every line of output, in order, once").isEqualTo(expected);

            // agent output with @everyone is sent as written, but pings nobody
            discord.say(FakeDiscord.RANDOM, BOB, "bob", MENTION + "run: echo @everyone hi @here");
            FakeDiscord.Sent loud = awaitSent(FakeDiscord.RANDOM, 1).getFirst();
            assertThat(loud.content()).contains("@everyone hi @here");
            assertThat(loud.payload().path("allowed_mentions").path("parse").isArray()).isTrue();
            assertThat(loud.payload().path("allowed_mentions").path("parse")).isEmpty();
            assertThat(loud.payload().path("allowed_mentions").path("replied_user").asBoolean(true)).isFalse();
        }
    }

    @Test
    void aThreadIsBoundToItsOwnAgentPerThread() throws Exception {
        try (RunningHost host = host("per-thread")) {
            String inThread = discord.say(FakeDiscord.THREAD, ALICE, "alice", MENTION + "run: echo in-thread > t.txt; cat t.txt");
            FakeDiscord.Sent reply = awaitSent(FakeDiscord.THREAD, 1).getFirst();
            assertThat(reply.repliesTo()).isEqualTo(inThread);
            assertThat(reply.content()).contains("in-thread");
            String threadGroup = host.claw4j.store().groups().groupForBinding("discord:thread:" + FakeDiscord.GENERAL + "/" + FakeDiscord.THREAD).orElseThrow();

            // sticky: the next message in the thread needs no mention, and goes to the same agent
            discord.say(FakeDiscord.THREAD, BOB, "bob", "run: cat t.txt");
            assertThat(awaitSent(FakeDiscord.THREAD, 2).get(1).content()).contains("in-thread");

            // the parent channel is another agent, which cannot see the thread's file
            discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "run: cat t.txt 2>&1 || echo none-here");
            assertThat(awaitSent(FakeDiscord.GENERAL, 1).getFirst().content()).contains("none-here");
            String channelGroup = host.claw4j.store().groups().groupForBinding("discord:chat:" + FakeDiscord.GENERAL)
                    .orElseThrow();
            assertThat(channelGroup).isNotEqualTo(threadGroup);
        }
    }

    @Test
    void aGatewayDropMidTurnLosesNothingAndAnswersOnce() throws Exception {
        try (RunningHost host = host("per-chat")) {
            String slow = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "run: sleep 5; echo slow-done");
            // the turn is running, inside the sandbox's `sleep 5`, when the gateway drops
            await().atMost(TURN).until(() -> discord.typing().contains(FakeDiscord.GENERAL));
            String group = host.claw4j.store().groups().groupForBinding("discord:chat:" + FakeDiscord.GENERAL).orElseThrow();
            await().atMost(TURN).until(() -> host.claw4j.store().audit().auditTrail(group).stream()
                    .anyMatch(e -> e.kind().equals("tool.started")));
            discord.replayOverlap(1); // Discord may also redeliver events the bot already had
            discord.dropGateway();
            // said while the bot is disconnected: replayed on RESUME
            String during = discord.say(FakeDiscord.RANDOM, BOB, "bob", MENTION + "said during the outage");

            FakeDiscord.Sent slowReply = awaitReplies(FakeDiscord.GENERAL, 1).getFirst();
            assertThat(slowReply.repliesTo()).isEqualTo(slow);
            assertThat(slowReply.content()).contains("slow-done");
            FakeDiscord.Sent duringReply = awaitReplies(FakeDiscord.RANDOM, 1).getFirst();
            assertThat(duringReply.repliesTo()).isEqualTo(during);
            assertThat(discord.resumes()).isEqualTo(1);

            // nothing more comes: each message stored once and answered once (the 5 s turn also shows a status
            // message, which is not a reply)
            Thread.sleep(3_000);
            assertThat(replies(FakeDiscord.GENERAL)).hasSize(1);
            assertThat(replies(FakeDiscord.RANDOM)).hasSize(1);
            assertThat(host.claw4j.store().messages().history("discord", FakeDiscord.GENERAL))
                    .filteredOn(l -> l.direction().equals("in")).hasSize(1);
            assertThat(host.claw4j.store().messages().history("discord", FakeDiscord.RANDOM))
                    .filteredOn(l -> l.direction().equals("in")).hasSize(1);
        }
    }

    @Test
    void whatWasSaidWhileTheHostWasDownIsReadAfterItsRestartAndAnsweredOnce() throws Exception {
        String dmChannel = discord.dmChannel(ALICE, "alice");
        try (RunningHost host = host("per-chat")) {
            discord.dm(ALICE, "alice", "hello bot");
            awaitReplies(dmChannel, 1);
            discord.say(FakeDiscord.GENERAL, BOB, "bob", MENTION + "first");
            awaitReplies(FakeDiscord.GENERAL, 1);
        }
        discord.awaitDisconnected(TURN);
        // the host is down: the gateway session these go to is dead, and a new one gets no replay
        String missedDm = discord.dm(ALICE, "alice", "did you get this?");
        String missedAsk = discord.say(FakeDiscord.GENERAL, BOB, "bob", MENTION + "run: echo caught-up");
        // sent while the new session connects: it comes live and is in the history too
        String both = discord.sayOnNextLogin(FakeDiscord.GENERAL, ALICE, "alice", "not for the bot, seen twice");

        try (RunningHost host = host("per-chat")) {
            assertThat(awaitReplies(dmChannel, 2).get(1).repliesTo()).isEqualTo(missedDm);
            FakeDiscord.Sent answer = awaitReplies(FakeDiscord.GENERAL, 2).get(1);
            assertThat(answer.repliesTo()).isEqualTo(missedAsk);
            assertThat(answer.content()).contains("caught-up");
            assertThat(discord.historyReads()).contains(FakeDiscord.GENERAL, dmChannel);

            // each message stored once and answered once
            Thread.sleep(3_000);
            assertThat(replies(FakeDiscord.GENERAL)).hasSize(2);
            assertThat(replies(dmChannel)).hasSize(2);
            assertThat(host.claw4j.store().messages().history("discord", FakeDiscord.GENERAL))
                    .filteredOn(l -> l.direction().equals("in")).extracting(ChatLine::text)
                    .containsExactlyInAnyOrder("first", "run: echo caught-up", "not for the bot, seen twice");
            assertThat(statusOf(host, FakeDiscord.GENERAL, "seen twice")).isEqualTo("IGNORED");
            assertThat(both).isNotEqualTo(missedAsk);
        }
    }

    /** The bot's answers in a channel (Discord replies; status messages are not), once there are {@code n}. */
    private List<FakeDiscord.Sent> awaitReplies(String channelId, int n) {
        await().atMost(TURN).until(() -> replies(channelId).size() >= n);
        return replies(channelId);
    }

    private List<FakeDiscord.Sent> replies(String channelId) {
        return discord.sentTo(channelId).stream().filter(s -> s.repliesTo() != null).toList();
    }

    private static String statusOf(RunningHost host, String chatId, String textPart) {
        return host.claw4j.store().messages().history("discord", chatId).stream().filter(l -> l.text().contains(textPart))
                .map(ChatLine::status).findFirst().orElse("missing");
    }

    private static int fences(String part) {
        return (int) part.lines().map(String::strip).filter(l -> l.startsWith("```")).count();
    }

    /** The platform ids stored with the chat's delivered replies, once every reply there is delivered. */
    private static List<String> deliveredIds(RunningHost host, String platform, String chatId) {
        await().atMost(Duration.ofSeconds(10)).until(() -> host.claw4j.store().messages().history(platform, chatId).stream()
                .filter(l -> l.direction().equals("out")).allMatch(l -> l.status().equals("DELIVERED")));
        return host.claw4j.store().messages().history(platform, chatId).stream().filter(l -> l.direction().equals("out"))
                .flatMap(l -> host.claw4j.store().outbox().platformReplyIds(l.id()).stream()).toList();
    }
}
