package dev.claw4j.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.core.connector.Delivered;
import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.discord.fake.FakeDiscord;
import dev.claw4j.discord.fake.RecordingInbox;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real JDA-based connector against the wire-level fake Discord (REST + Gateway on loopback). */
class DiscordConnectorTest {
    static final String TOKEN = "fake-token.abc.def";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String ALICE = "1400000000000000001";
    static final String BOB = "1400000000000000002";
    static final String BOT_MENTION = "<@" + FakeDiscord.BOT_ID + ">";

    FakeDiscord discord;
    DiscordConnector connector;
    RecordingInbox inbox = new RecordingInbox();

    @BeforeEach
    void start() throws Exception {
        discord = new FakeDiscord(TOKEN);
        connector = new DiscordConnector(DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), discord.gatewayUrl()));
        connector.start(inbox);
    }

    @AfterEach
    void stop() {
        connector.close();
        discord.close();
    }

    @Test
    void logsInWithTheThreeIntents() {
        int guildMessages = 1 << 9;
        int directMessages = 1 << 12;
        int messageContent = 1 << 15;
        int wanted = guildMessages | directMessages | messageContent;
        assertThat(discord.identifiedIntents() & wanted).isEqualTo(wanted);
        // nothing beyond GUILDS (which JDA always asks for, to know the channels), notably no presences or members
        assertThat(discord.identifiedIntents() & ~wanted).isEqualTo(1);
        assertThat(discord.requests()).contains("GET /api/v10/users/@me");
    }

    @Test
    void aMessageTheStoreRefusedForAMomentIsStoredOnRetryAndTheNextOneWaitsItsTurn() throws Exception {
        inbox.failures.set(3);
        String first = discord.dm(ALICE, "alice", "are you there?");
        String second = discord.dm(ALICE, "alice", "hello?");
        inbox.await(second, WAIT);
        assertThat(inbox.failures.get()).as("the store really refused").isZero();
        assertThat(inbox.calls()).extracting(InboundMessage::platformMessageId).containsExactly(first, second);
    }

    @Test
    void aDmIsDirectAndTheAnswerGoesBackAsAReply() throws Exception {
        String id = discord.dm(ALICE, "alice", "hello bot");
        InboundMessage in = inbox.await(id, WAIT);
        assertThat(in.kind()).isEqualTo(ChatKind.DIRECT);
        assertThat(in.platform()).isEqualTo("discord");
        assertThat(in.chatId()).isEqualTo(discord.dmChannel(ALICE, "alice"));
        assertThat(in.threadId()).isNull();
        assertThat(in.senderId()).isEqualTo(ALICE);
        assertThat(in.senderName()).isEqualTo("alice");
        assertThat(in.text()).isEqualTo("hello bot");

        connector.deliver(new OutboundMessage(1, "discord", in.chatId(), null, "hi alice", id));
        var sent = discord.awaitSent(1, WAIT).getFirst();
        assertThat(sent.channelId()).isEqualTo(in.chatId());
        assertThat(sent.content()).isEqualTo("hi alice");
        assertThat(sent.repliesTo()).isEqualTo(id);
    }

    @Test
    void inAServerOnlyAMentionOrAReplyToTheBotAddressesIt() throws Exception {
        InboundMessage plain = inbox.await(discord.say(FakeDiscord.GENERAL, ALICE, "alice", "just chatting"), WAIT);
        assertThat(plain.kind()).isEqualTo(ChatKind.GROUP);
        assertThat(plain.mentionsBot()).isFalse();
        assertThat(plain.chatId()).isEqualTo(FakeDiscord.GENERAL);

        String askId = discord.say(FakeDiscord.GENERAL, ALICE, "alice", BOT_MENTION + " what is <@" + BOB + ">   up to?");
        InboundMessage ask = inbox.await(askId, WAIT);
        assertThat(ask.mentionsBot()).isTrue();
        assertThat(ask.text()).isEqualTo("what is <@" + BOB + "> up to?"); // Bob is unknown to the fake: left raw

        connector.deliver(new OutboundMessage(2, "discord", FakeDiscord.GENERAL, null, "on it", askId));
        var answer = discord.awaitSent(1, WAIT).getFirst();
        assertThat(answer.channelId()).isEqualTo(FakeDiscord.GENERAL);
        assertThat(answer.repliesTo()).isEqualTo(askId);
        assertThat(answer.payload().path("allowed_mentions").path("replied_user").asBoolean(true)).isFalse();

        // a Discord reply to the bot's message counts as addressed, without a mention
        InboundMessage reply = inbox.await(discord.reply(FakeDiscord.GENERAL, answer.messageId(), BOB, "bob",
                "thanks"), WAIT);
        assertThat(reply.mentionsBot()).isTrue();
        // a reply to someone else's message does not
        assertThat(inbox.await(discord.reply(FakeDiscord.GENERAL, askId, BOB, "bob", "me too"), WAIT).mentionsBot())
                .isFalse();
    }

    @Test
    void otherPeoplesMentionsBecomeTheirNames() throws Exception {
        discord.dm(BOB, "bob", "hi"); // the fake now knows Bob
        InboundMessage m = inbox.await(discord.say(FakeDiscord.GENERAL, ALICE, "alice",
                BOT_MENTION + " say hi to <@" + BOB + ">"), WAIT);
        assertThat(m.text()).isEqualTo("say hi to @bob");
    }

    @Test
    void theBotsOwnMessagesAndOtherBotsAreIgnored() throws Exception {
        discord.botSays(FakeDiscord.GENERAL, BOT_MENTION + " I am a bot too");
        connector.deliver(new OutboundMessage(3, "discord", FakeDiscord.GENERAL, null, "my own words", null));
        discord.awaitSent(1, WAIT);
        String after = discord.say(FakeDiscord.GENERAL, ALICE, "alice", "a person");
        inbox.await(after, WAIT); // events arrive in order, so everything before it was seen
        assertThat(inbox.calls()).extracting(InboundMessage::platformMessageId).containsExactly(after);
    }

    @Test
    void aThreadIsTheParentChannelPlusTheThreadAndIsStickyAfterAMention() throws Exception {
        InboundMessage before = inbox.await(discord.say(FakeDiscord.THREAD, ALICE, "alice", "before any mention"), WAIT);
        assertThat(before.mentionsBot()).isFalse();
        assertThat(before.chatId()).isEqualTo(FakeDiscord.GENERAL);
        assertThat(before.threadId()).isEqualTo(FakeDiscord.THREAD);

        String askId = discord.say(FakeDiscord.THREAD, ALICE, "alice", BOT_MENTION + " help here");
        assertThat(inbox.await(askId, WAIT).mentionsBot()).isTrue();
        InboundMessage followUp = inbox.await(discord.say(FakeDiscord.THREAD, BOB, "bob", "and one more thing"), WAIT);
        assertThat(followUp.mentionsBot()).as("sticky thread").isTrue();
        // stickiness is per thread: the parent channel still needs a mention
        assertThat(inbox.await(discord.say(FakeDiscord.GENERAL, BOB, "bob", "outside"), WAIT).mentionsBot()).isFalse();

        connector.deliver(new OutboundMessage(4, "discord", FakeDiscord.GENERAL, FakeDiscord.THREAD, "in the thread",
                askId));
        var sent = discord.awaitSent(1, WAIT).getFirst();
        assertThat(sent.channelId()).isEqualTo(FakeDiscord.THREAD);
        assertThat(sent.repliesTo()).isEqualTo(askId);
    }

    @Test
    void stickyThreadsCanBeTurnedOff() throws Exception {
        connector.close();
        RecordingInbox other = new RecordingInbox();
        connector = new DiscordConnector(DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), discord.gatewayUrl())
                .withStickyThreads(false));
        connector.start(other);
        assertThat(other.await(discord.say(FakeDiscord.THREAD, ALICE, "alice", BOT_MENTION + " hi"), WAIT).mentionsBot())
                .isTrue();
        assertThat(other.await(discord.say(FakeDiscord.THREAD, ALICE, "alice", "no mention"), WAIT).mentionsBot())
                .isFalse();
    }

    @Test
    void aLongAnswerWithCodeIsSplitWithoutBreakingTheCodeBlock() throws Exception {
        StringBuilder text = new StringBuilder("Here is the listing:\n```java\n");
        for (int i = 0; text.length() < 4_700; i++) {
            text.append("System.out.println(\"line ").append(i).append("\"); // some padding text here\n");
        }
        text.append("```\nThat is all, ").append("and a closing remark. ".repeat(15));
        String answer = text.toString();
        assertThat(answer.length()).isGreaterThan(5_000);

        Delivered delivered = connector.deliver(new OutboundMessage(5, "discord", FakeDiscord.GENERAL, null, answer,
                "42"));
        List<FakeDiscord.Sent> sent = discord.awaitSent(3, WAIT);
        Thread.sleep(200);
        sent = discord.sent();
        assertThat(sent).hasSizeBetween(3, 4);
        // the ids Discord gave each part, in order, for the reply's row in the store
        assertThat(delivered.platformMessageIds()).containsExactlyElementsOf(
                sent.stream().map(FakeDiscord.Sent::messageId).toList());
        for (FakeDiscord.Sent s : sent) {
            assertThat(s.content().length()).isLessThanOrEqualTo(2_000);
            assertThat(MessageSplitterTest.fenceLines(s.content()) % 2).as("fences balanced in %s", s.content())
                    .isZero();
        }
        assertThat(sent.getFirst().repliesTo()).isEqualTo("42");
        assertThat(sent.subList(1, sent.size())).allMatch(s -> s.repliesTo() == null);
        assertThat(sent.get(1).content()).startsWith("```java\n");
        // JDA trims each message's ends (so does Discord); the splitter test checks the exact characters
        String rejoined = MessageSplitterTest.rejoin(sent.stream().map(FakeDiscord.Sent::content).toList());
        assertThat(rejoined.replaceAll("\\s+", " ").strip()).isEqualTo(answer.replaceAll("\\s+", " ").strip());
    }

    @Test
    void agentOutputNeverPingsAnyone() throws Exception {
        connector.deliver(new OutboundMessage(6, "discord", FakeDiscord.GENERAL, null,
                "@everyone hi @here <@&1200000000000000077> <@" + ALICE + ">", "7"));
        JsonNode payload = discord.awaitSent(1, WAIT).getFirst().payload();
        assertThat(payload.path("content").asText()).startsWith("@everyone hi @here"); // text kept as written
        JsonNode allowed = payload.path("allowed_mentions");
        assertThat(allowed.path("parse").isArray()).isTrue();
        assertThat(allowed.path("parse")).isEmpty();
        assertThat(allowed.path("users").size()).isZero();
        assertThat(allowed.path("roles").size()).isZero();
        assertThat(allowed.path("replied_user").asBoolean(true)).isFalse();
    }

    @Test
    void typingIsShownWhileTheAgentWorksAndStopsAfter() throws Exception {
        connector.working(FakeDiscord.GENERAL, FakeDiscord.THREAD, true);
        await().atMost(WAIT).until(() -> discord.typing().contains(FakeDiscord.THREAD));
        connector.working(FakeDiscord.GENERAL, FakeDiscord.THREAD, false);
        int count = discord.typing().size();
        Thread.sleep(300);
        assertThat(discord.typing()).hasSize(count);
        connector.working(FakeDiscord.RANDOM, null, true);
        await().atMost(WAIT).until(() -> discord.typing().contains(FakeDiscord.RANDOM));
        connector.working(FakeDiscord.RANDOM, null, false);
    }

    @Test
    void attachmentsAreDownloadedAndHugeOnesBecomeANote() throws Exception {
        byte[] notes = "meeting notes\n".getBytes(StandardCharsets.UTF_8);
        InboundMessage in = inbox.await(discord.withFile(discord.dmChannel(ALICE, "alice"), ALICE, "alice",
                "see attached", "notes.txt", notes, notes.length), WAIT);
        assertThat(in.attachments()).singleElement().satisfies(a -> {
            assertThat(a.fileName()).isEqualTo("notes.txt");
            assertThat(a.mimeType()).isEqualTo("text/plain");
            assertThat(a.content()).isEqualTo(notes);
        });
        assertThat(in.text()).isEqualTo("see attached");

        InboundMessage huge = inbox.await(discord.withFile(FakeDiscord.GENERAL, ALICE, "alice", BOT_MENTION + " big one",
                "video.mp4", new byte[10], Attachment.MAX_BYTES + 1), WAIT);
        assertThat(huge.attachments()).isEmpty();
        assertThat(huge.text()).startsWith("big one\n[attachment video.mp4").contains("not received");
        assertThat(discord.requests()).noneMatch(r -> r.contains("video.mp4"));
    }

    @Test
    void aFileIsUploadedWithTheTextAsItsCaption(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("17-report.csv"), "a,b\n1,2\n");
        connector.deliver(new OutboundMessage(8, "discord", FakeDiscord.GENERAL, null, "the report", "9", file));
        FakeDiscord.Sent sent = discord.awaitSent(1, WAIT).getFirst();
        assertThat(sent.content()).isEqualTo("the report");
        assertThat(sent.repliesTo()).isEqualTo("9");
        assertThat(sent.fileContents()).containsOnlyKeys("report.csv");
        assertThat(new String(sent.fileContents().get("report.csv"), StandardCharsets.UTF_8)).isEqualTo("a,b\n1,2\n");
        assertThat(sent.payload().path("allowed_mentions").path("parse")).isEmpty();
    }

    @Test
    void aMessageAnsweredWithAnUnreadable200IsDeliveredAndNeverSentAgain() throws Exception {
        discord.garbleNextCreates(1, "<html>200 OK, not a message</html>");
        connector.deliver(new OutboundMessage(20, "discord", FakeDiscord.GENERAL, null, "once only", null));
        discord.garbleNextCreates(1, "{}"); // JSON, but not a message: JDA fails on the missing fields
        connector.deliver(new OutboundMessage(21, "discord", FakeDiscord.GENERAL, null, "and once more", null));
        assertThat(discord.createRequests()).isEqualTo(2);
        assertThat(discord.sentTo(FakeDiscord.GENERAL)).extracting(FakeDiscord.Sent::content)
                .containsExactly("once only", "and once more");
    }

    @Test
    void anUnreadableAnswerToOnePartDoesNotRepeatItAndTheRestFollow() throws Exception {
        String answer = "a".repeat(1_990) + "\n" + "b".repeat(100);
        discord.garbleNextCreates(1, "not json");
        Delivered delivered = connector.deliver(new OutboundMessage(22, "discord", FakeDiscord.GENERAL, null, answer,
                null));
        assertThat(discord.createRequests()).isEqualTo(2);
        assertThat(discord.sentTo(FakeDiscord.GENERAL)).hasSize(2);
        assertThat(delivered.platformMessageIds()).as("the unreadable answer has no id; the other one has")
                .containsExactly(discord.sentTo(FakeDiscord.GENERAL).get(1).messageId());
    }

    @Test
    void everyPartCarriesAStableNonceSoARepeatedAttemptMakesNoSecondMessage() throws Exception {
        OutboundMessage m = new OutboundMessage(23, "discord", FakeDiscord.GENERAL, null, "x".repeat(1_990) + "\n" + "y".repeat(50), null);
        connector.deliver(m);
        // the outbox tries again, as after an answer lost on the way back: the same nonces, no new messages
        connector.deliver(m);
        assertThat(discord.createRequests()).isEqualTo(4);
        assertThat(discord.sentTo(FakeDiscord.GENERAL)).hasSize(2).extracting(s -> s.payload().path("nonce").asText())
                .containsExactly(Replies.nonce(23, 0), Replies.nonce(23, 1));
        assertThat(discord.sentTo(FakeDiscord.GENERAL)).allSatisfy(s ->
                assertThat(s.payload().path("enforce_nonce").asBoolean()).isTrue());
        assertThat(Replies.nonce(Long.MAX_VALUE, 999)).hasSizeLessThanOrEqualTo(25); // Discord's limit
    }

    @Test
    void aFailureSaysItsCause() {
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(24, "discord", FakeDiscord.FORBIDDEN, null,
                "hello", null))).hasMessageContaining("Missing Access (50001, HTTP 403)");
        discord.close(); // Discord unreachable: what the network said, not just an exception's class name
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(25, "discord", FakeDiscord.GENERAL, null,
                "hello", null))).isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.getMessage()).contains("no answer from Discord (ConnectException: Failed to connect");
                    assertThat(e.permanent()).isFalse();
                });
    }

    @Test
    void channelsTheBotCannotWriteToFailPermanently() {
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(10, "discord", FakeDiscord.FORBIDDEN, null,
                "hello", null))).isInstanceOfSatisfying(DeliveryException.class, e -> {
                    assertThat(e.permanent()).isTrue();
                    assertThat(e.getMessage()).contains("50001");
                });
        assertThatThrownBy(() -> connector.deliver(new OutboundMessage(11, "discord", "1999999999999999999", null,
                "hello", null))).isInstanceOfSatisfying(DeliveryException.class, e -> assertThat(e.permanent()).isTrue());
    }

    @Test
    void aStatusMessageIsSentQuietlyEditedInPlaceAndDeleted() throws Exception {
        String id = discord.dm(ALICE, "alice", "work long");
        InboundMessage in = inbox.await(id, WAIT);
        String handle = connector.progress(in.chatId(), null, "⏳ Working… bash: sleep 10");
        assertThat(handle).isNotNull();
        var status = discord.awaitSent(1, WAIT).getFirst();
        assertThat(status.messageId()).isEqualTo(handle);
        assertThat(status.payload().path("flags").asInt() & (1 << 12)).as("SUPPRESS_NOTIFICATIONS").isNotZero();
        assertThat(status.payload().path("allowed_mentions").path("parse").isArray()).as("mentions limited").isTrue();
        assertThat(status.payload().path("allowed_mentions").path("parse")).as("no pings").isEmpty();
        connector.editProgress(in.chatId(), null, handle, "⏳ Working… done with bash: sleep 10");
        assertThat(discord.edits()).extracting(FakeDiscord.Edit::content)
                .containsExactly("⏳ Working… done with bash: sleep 10");
        connector.clearProgress(in.chatId(), null, handle);
        assertThat(discord.deleted()).containsExactly(handle);
        connector.clearProgress(in.chatId(), null, handle); // gone already: logged, not thrown
    }
}
