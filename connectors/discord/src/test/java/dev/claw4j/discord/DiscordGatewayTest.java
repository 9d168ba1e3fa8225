package dev.claw4j.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.connector.DeliveryException;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.discord.fake.FakeDiscord;
import dev.claw4j.discord.fake.RecordingInbox;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Staying connected: heartbeats, drops and RESUME, op 7 RECONNECT, a bad token, and sharding. */
class DiscordGatewayTest {
    static final String TOKEN = "fake-token.abc.def";
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String ALICE = "1400000000000000001";
    static final String MENTION = "<@" + FakeDiscord.BOT_ID + "> ";

    FakeDiscord discord;
    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path tmp;
    DiscordConnector connector;
    RecordingInbox inbox = new RecordingInbox();

    @BeforeEach
    void fake() throws Exception {
        discord = new FakeDiscord(TOKEN);
    }

    @AfterEach
    void stop() {
        if (connector != null) {
            connector.close();
        }
        discord.close();
    }

    private void connect(DiscordSettings settings) {
        connector = new DiscordConnector(settings);
        connector.start(inbox);
    }

    private DiscordSettings settings() {
        return DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), discord.gatewayUrl());
    }

    @Test
    void heartbeatsAreAnswered() {
        connect(settings());
        await().atMost(WAIT).until(() -> discord.heartbeats() >= 2);
    }

    @Test
    void aDroppedGatewayResumesAndEveryMessageArrivesOnce() throws Exception {
        connect(settings());
        String before = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "one");
        inbox.await(before, WAIT);

        discord.dropGateway();
        // sent while the bot is disconnected: Discord keeps them for the session and replays them on RESUME
        String during1 = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "two");
        String during2 = discord.dm(ALICE, "alice", "three");

        inbox.await(during2, WAIT);
        String after = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "four");
        inbox.await(after, WAIT);

        assertThat(discord.resumes()).isEqualTo(1);
        assertThat(discord.identifies()).as("resumed, not a new session").isEqualTo(1);
        assertThat(inbox.calls()).extracting(InboundMessage::platformMessageId)
                .containsExactly(before, during1, during2, after);
        // and the connection still works both ways
        connector.deliver(new OutboundMessage(1, "discord", FakeDiscord.GENERAL, null, "still here", after));
        assertThat(discord.awaitSent(1, WAIT).getFirst().repliesTo()).isEqualTo(after);
    }

    @Test
    void anEventDiscordRedeliversAfterResumeKeepsItsMessageIdSoItIsStoredOnce() throws Exception {
        connect(settings());
        String first = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "first");
        inbox.await(first, WAIT);
        discord.replayOverlap(1); // the RESUME replays the last event the bot already had
        discord.dropGateway();
        String gap = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "in the gap");
        inbox.await(gap, WAIT);

        List<String> ids = inbox.calls().stream().map(InboundMessage::platformMessageId).toList();
        assertThat(ids).containsExactly(first, first, gap);
        assertThat(inbox.stored()).as("the host's dedup by message id keeps one").isEqualTo(2);
    }

    @Test
    void opSevenReconnectIsFollowedByResume() throws Exception {
        connect(settings());
        discord.requestReconnect();
        String during = discord.dm(ALICE, "alice", "right after the reconnect request");
        inbox.await(during, WAIT);
        await().atMost(WAIT).until(() -> discord.resumes() == 1);
        assertThat(discord.identifies()).isEqualTo(1);
        assertThat(inbox.calls()).hasSize(1);
    }

    @Test
    void aBadTokenIsAClearStartErrorAndNothingKeepsRetrying() {
        long start = System.nanoTime();
        connector = new DiscordConnector(DiscordSettings.of("wrong-token").withEndpoints(discord.restUrl(),
                discord.gatewayUrl()));
        assertThatThrownBy(() -> connector.start(inbox)).isInstanceOf(IllegalStateException.class)
                .hasMessage("discord: the bot token was refused (401); check connectors.discord.token");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        int requests = discord.requests().size();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> discord.requests().size() == requests && discord.identifies() == 0);
    }

    @Test
    void aBadTokenWithTheShardManagerIsTheSameClearError() {
        connector = new DiscordConnector(DiscordSettings.of("wrong-token").withEndpoints(discord.restUrl(), null)
                .withShards(2));
        assertThatThrownBy(() -> connector.start(inbox)).isInstanceOf(IllegalStateException.class)
                .hasMessage("discord: the bot token was refused (401); check connectors.discord.token");
        assertThat(discord.identifies()).isZero();
    }

    @Test
    void aGatewayThatRefusesTheTokenIsAClearStartErrorToo() {
        // REST accepts the token but the gateway closes with 4004 (e.g. a token reset between the two)
        connector = new DiscordConnector(DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(),
                discord.gatewayUrl()));
        discord.refuseGatewayToken();
        assertThatThrownBy(() -> connector.start(inbox)).isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("discord:").hasMessageContaining("connectors.discord.token");
    }

    @Test
    void withTwoShardsEachServerArrivesOnItsShardAndRepliesWork() throws Exception {
        // no gateway URL: the shard manager asks GET gateway/bot, which the fake answers with its own
        connect(DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), null).withShards(2));
        assertThat(discord.requests()).contains("GET /api/v10/gateway/bot");
        assertThat(discord.identifies()).isEqualTo(2);

        String onShard0 = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "shard zero");
        String onShard1 = discord.say(FakeDiscord.OTHER_GUILD_CHANNEL, ALICE, "alice", MENTION + "shard one");
        assertThat(inbox.await(onShard0, WAIT).chatId()).isEqualTo(FakeDiscord.GENERAL);
        assertThat(inbox.await(onShard1, WAIT).chatId()).isEqualTo(FakeDiscord.OTHER_GUILD_CHANNEL);
        connector.deliver(new OutboundMessage(1, "discord", FakeDiscord.OTHER_GUILD_CHANNEL, null, "hello", onShard1));
        assertThat(discord.awaitSent(1, WAIT).getFirst().channelId()).isEqualTo(FakeDiscord.OTHER_GUILD_CHANNEL);
    }

    @Test
    void twoHostsEachRunTheirShardsAndAnswerInTheirShardsChannels() throws Exception {
        // host A runs shard 0 of 2 (GENERAL's server), host B shard 1 (the other server); each has its own inbox
        connect(DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), null).withShards(2).withHostShards("0"));
        RecordingInbox inboxB = new RecordingInbox();
        DiscordConnector hostB = new DiscordConnector(DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), null)
                .withShards(2).withHostShards("1"));
        try {
            hostB.start(inboxB);
            assertThat(discord.identifies()).as("one IDENTIFY per shard, across both hosts").isEqualTo(2);

            String onShard0 = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "shard zero");
            String onShard1 = discord.say(FakeDiscord.OTHER_GUILD_CHANNEL, ALICE, "alice", MENTION + "shard one");
            assertThat(inbox.await(onShard0, WAIT).chatId()).isEqualTo(FakeDiscord.GENERAL);
            assertThat(inboxB.await(onShard1, WAIT).chatId()).isEqualTo(FakeDiscord.OTHER_GUILD_CHANNEL);
            assertThat(inbox.calls()).extracting(InboundMessage::platformMessageId).containsExactly(onShard0);
            assertThat(inboxB.calls()).extracting(InboundMessage::platformMessageId).containsExactly(onShard1);

            // each host answers in the channels of its shards (the host that got a group's first message holds it)
            connector.deliver(new OutboundMessage(1, "discord", FakeDiscord.GENERAL, null, "from A", onShard0));
            hostB.deliver(new OutboundMessage(2, "discord", FakeDiscord.OTHER_GUILD_CHANNEL, null, "from B",
                    onShard1));
            assertThat(discord.awaitSent(2, WAIT)).extracting(s -> s.channelId())
                    .containsExactlyInAnyOrder(FakeDiscord.GENERAL, FakeDiscord.OTHER_GUILD_CHANNEL);
            // after a takeover host A answers in host B's shard: not in A's cache, so sent by channel id over REST,
            // still a reply to the message, with no mentions, and once (its nonce makes a repeat a no-op)
            OutboundMessage intoB = new OutboundMessage(3, "discord", FakeDiscord.OTHER_GUILD_CHANNEL, null,
                    "from A into B's shard @everyone", onShard1);
            connector.deliver(intoB);
            connector.deliver(intoB); // the outbox's retry after an answer it lost
            FakeDiscord.Sent byId = discord.awaitSent(3, WAIT).get(2);
            assertThat(byId.channelId()).isEqualTo(FakeDiscord.OTHER_GUILD_CHANNEL);
            assertThat(byId.content()).isEqualTo("from A into B's shard @everyone");
            assertThat(byId.repliesTo()).isEqualTo(onShard1);
            assertThat(byId.payload().path("allowed_mentions").path("parse").isEmpty()).isTrue();
            assertThat(discord.sentTo(FakeDiscord.OTHER_GUILD_CHANNEL)).hasSize(2);
            // a file goes the same way, as Discord's multipart upload
            java.nio.file.Path file = java.nio.file.Files.writeString(tmp.resolve("77-report.csv"), "a,b\n1,2\n");
            connector.deliver(new OutboundMessage(5, "discord", FakeDiscord.OTHER_GUILD_CHANNEL, null, "the report",
                    null, file));
            FakeDiscord.Sent upload = discord.awaitSent(4, WAIT).get(3);
            assertThat(upload.content()).isEqualTo("the report");
            assertThat(upload.fileContents()).containsOnlyKeys("report.csv");
            assertThat(new String(upload.fileContents().get("report.csv"), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("a,b\n1,2\n");
            // a channel Discord does not know: refused for good, saying so
            assertThatThrownBy(() -> connector.deliver(new OutboundMessage(4, "discord", "1300000000000000999", null,
                    "nowhere", null))).isInstanceOf(DeliveryException.class)
                    .hasMessageContaining("Unknown Channel").hasMessageContaining("HTTP 404")
                    .matches(e -> ((DeliveryException) e).permanent(), "permanent");
        } finally {
            hostB.close();
        }
    }
}
