package dev.claw4j.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.discord.fake.FakeDiscord;
import dev.claw4j.discord.fake.RecordingInbox;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shards that follow leases (several hosts on one database): a connector runs no shard until told it gained one,
 * and stops one it lost. Two hosts share one store (one inbox here); host B dies, host A gains B's shard and reads
 * what was said there meanwhile; A loses a shard and stops hearing its servers. The leases themselves (who gains
 * what, when) are {@code LeaseShareTest}'s; the app wires {@code discord-shard-N} leases to these calls.
 */
class DiscordShardLeasesTest {
    static final String TOKEN = DiscordGatewayTest.TOKEN;
    static final Duration WAIT = DiscordGatewayTest.WAIT;
    static final String ALICE = DiscordGatewayTest.ALICE;
    static final String MENTION = DiscordGatewayTest.MENTION;

    FakeDiscord discord;
    DiscordConnector hostA;
    DiscordConnector hostB;
    final RecordingInbox store = new RecordingInbox(); // both hosts store into one database

    @BeforeEach
    void fake() throws Exception {
        discord = new FakeDiscord(TOKEN);
    }

    @AfterEach
    void stop() {
        if (hostA != null) {
            hostA.close();
        }
        if (hostB != null) {
            hostB.close();
        }
        discord.close();
    }

    private DiscordConnector host() {
        DiscordConnector c = new DiscordConnector(DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), null)
                .withShards(2));
        c.shardsFollowLeases();
        c.start(store);
        return c;
    }

    @Test
    void shardsRunWhereTheirLeaseIsAndATakenOverShardCatchesUp() throws Exception {
        hostA = host();
        hostB = host();
        Thread.sleep(500);
        assertThat(discord.identifies()).as("no shard runs before its lease is here").isZero();

        hostA.shardGained(0);
        hostB.shardGained(1);
        await().atMost(WAIT).until(() -> discord.identifies() == 2);
        String onShard0 = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "shard zero");
        String onShard1 = discord.say(FakeDiscord.OTHER_GUILD_CHANNEL, ALICE, "alice", MENTION + "shard one");
        store.await(onShard0, WAIT);
        store.await(onShard1, WAIT);

        // host B dies; a message on its shard finds nobody listening
        hostB.close();
        hostB = null;
        discord.awaitDisconnected(1, WAIT); // a closed connector's JDA closes its socket in the background
        String whileNobody = discord.say(FakeDiscord.OTHER_GUILD_CHANNEL, ALICE, "alice", MENTION + "anyone?");
        Thread.sleep(500);
        assertThat(store.calls()).extracting(InboundMessage::platformMessageId).doesNotContain(whileNobody);

        // B's lease expired and A took it: shard 1 runs on A, which reads what was missed, then hears it live
        hostA.shardGained(1);
        assertThat(store.await(whileNobody, WAIT).chatId()).isEqualTo(FakeDiscord.OTHER_GUILD_CHANNEL);
        await().atMost(WAIT).until(() -> discord.identifies() == 3);
        String live = discord.say(FakeDiscord.OTHER_GUILD_CHANNEL, ALICE, "alice", MENTION + "still there?");
        store.await(live, WAIT);

        // A loses shard 0's lease (another host's share now): it stops hearing that server at once
        hostA.shardLost(0);
        discord.awaitDisconnected(0, WAIT);
        assertThat(hostA.runningShards()).isEqualTo(1);
        String afterLoss = discord.say(FakeDiscord.GENERAL, ALICE, "alice", MENTION + "hello?");
        Thread.sleep(500);
        assertThat(store.calls()).extracting(InboundMessage::platformMessageId).doesNotContain(afterLoss);
        assertThat(store.calls()).extracting(InboundMessage::platformMessageId).doesNotHaveDuplicates();
    }
}
