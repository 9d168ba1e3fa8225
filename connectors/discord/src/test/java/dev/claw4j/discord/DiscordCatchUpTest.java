package dev.claw4j.discord;

import static dev.claw4j.discord.DiscordConnectorTest.ALICE;
import static dev.claw4j.discord.DiscordConnectorTest.BOB;
import static dev.claw4j.discord.DiscordConnectorTest.BOT_MENTION;
import static dev.claw4j.discord.DiscordConnectorTest.TOKEN;
import static dev.claw4j.discord.DiscordConnectorTest.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.discord.fake.FakeDiscord;
import dev.claw4j.discord.fake.RecordingInbox;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Messages the bot never got on the gateway (sent while it was down, or read by a process that died before the
 * store took them) are read from the channels' history after the next start. A "restart" here is a second
 * connector on the same inbox: the fake gives the new gateway session no replay of the old one, like Discord.
 */
class DiscordCatchUpTest {
    FakeDiscord discord;
    RecordingInbox inbox = new RecordingInbox();
    DiscordConnector connector;

    @BeforeEach
    void start() throws Exception {
        discord = new FakeDiscord(TOKEN);
        connector = connector();
        connector.start(inbox);
    }

    @AfterEach
    void stop() {
        connector.close();
        discord.close();
    }

    private DiscordConnector connector() {
        return new DiscordConnector(DiscordSettings.of(TOKEN).withEndpoints(discord.restUrl(), discord.gatewayUrl()));
    }

    private void restart() throws InterruptedException {
        down();
        connector = connector();
        connector.start(inbox);
    }

    /** Stops the connector and waits until the fake sees its socket closed. */
    private void down() throws InterruptedException {
        connector.close();
        discord.awaitDisconnected(WAIT);
    }

    @Test
    void whatWasSaidWhileTheBotWasDownIsReadAfterTheStartOnceInOrderAndTheBotsOwnIsSkipped() throws Exception {
        inbox.await(discord.say(FakeDiscord.GENERAL, ALICE, "alice", BOT_MENTION + " hello"), WAIT);
        String dmChannel = discord.dmChannel(ALICE, "alice");
        inbox.await(discord.dm(ALICE, "alice", "hi in private"), WAIT);
        inbox.await(discord.say(FakeDiscord.THREAD, BOB, "bob", BOT_MENTION + " in the thread"), WAIT);
        down();
        int before = inbox.calls().size();

        // while the bot is down (the gateway logs these on the dead session; nobody gets them)
        String ask = discord.say(FakeDiscord.GENERAL, ALICE, "alice", BOT_MENTION + " are you there?");
        String chat = discord.say(FakeDiscord.GENERAL, BOB, "bob", "just chatting");
        discord.say(FakeDiscord.GENERAL, FakeDiscord.BOT_ID, FakeDiscord.BOT_NAME, "the bot's own earlier answer");
        discord.botSays(FakeDiscord.GENERAL, "another bot");
        String privately = discord.dm(ALICE, "alice", "did you get my question?");
        String inThread = discord.say(FakeDiscord.THREAD, BOB, "bob", BOT_MENTION + " and here?");
        String elsewhere = discord.say(FakeDiscord.RANDOM, BOB, "bob", BOT_MENTION + " a channel the bot never saw");
        assertThat(inbox.calls()).as("nothing came live").hasSize(before);

        connector = connector();
        connector.start(inbox);

        InboundMessage asked = inbox.await(ask, WAIT);
        assertThat(asked.chatId()).isEqualTo(FakeDiscord.GENERAL);
        assertThat(asked.mentionsBot()).isTrue();
        assertThat(asked.text()).isEqualTo("are you there?");
        assertThat(inbox.await(chat, WAIT).mentionsBot()).isFalse();
        InboundMessage dm = inbox.await(privately, WAIT);
        assertThat(dm.kind()).isEqualTo(ChatKind.DIRECT);
        assertThat(dm.chatId()).isEqualTo(dmChannel);
        assertThat(dm.senderId()).isEqualTo(ALICE);
        assertThat(discord.dmOpens()).as("the DM was opened again with the person who wrote in it").contains(ALICE);
        InboundMessage threaded = inbox.await(inThread, WAIT);
        assertThat(threaded.chatId()).isEqualTo(FakeDiscord.GENERAL);
        assertThat(threaded.threadId()).isEqualTo(FakeDiscord.THREAD);
        assertThat(threaded.mentionsBot()).isTrue();

        await().atMost(WAIT).until(() -> discord.historyReads().size() == 3);
        List<String> caughtUp = new ArrayList<>();
        inbox.calls().subList(before, inbox.calls().size()).forEach(m -> caughtUp.add(m.platformMessageId()));
        // the bot's own message and the other bot's are skipped; a channel the bot never talked in is not read
        assertThat(caughtUp).containsExactly(ask, chat, privately, inThread);
        assertThat(caughtUp).doesNotContain(elsewhere);
        assertThat(discord.historyReads()).containsExactlyInAnyOrder(FakeDiscord.GENERAL, dmChannel,
                FakeDiscord.THREAD);
    }

    @Test
    void aMessageThatCameLiveAndIsInTheHistoryToo_isStoredOnce() throws Exception {
        inbox.await(discord.say(FakeDiscord.GENERAL, ALICE, "alice", "first"), WAIT);
        down();
        String both = discord.sayOnNextLogin(FakeDiscord.GENERAL, ALICE, "alice", BOT_MENTION + " sent while you connected");

        connector = connector();
        connector.start(inbox);

        // it really went both ways: live on the gateway and from the history
        await().atMost(WAIT).until(() -> inbox.calls().stream().filter(m -> m.platformMessageId().equals(both))
                .count() == 2);
        assertThat(inbox.stored()).isEqualTo(2);
    }

    @Test
    void atMostOneHundredMessagesAChannelAreRead() throws Exception {
        inbox.await(discord.say(FakeDiscord.GENERAL, ALICE, "alice", "first"), WAIT);
        down();
        List<String> missed = new ArrayList<>();
        for (int i = 0; i < CatchUp.PER_CHANNEL + 5; i++) {
            missed.add(discord.say(FakeDiscord.GENERAL, BOB, "bob", "message " + i));
        }

        connector = connector();
        connector.start(inbox);

        inbox.await(missed.get(CatchUp.PER_CHANNEL - 1), WAIT);
        await().atMost(WAIT).until(() -> discord.historyReads().size() == 1);
        Thread.sleep(300); // the last hand-overs are on the event thread
        assertThat(inbox.stored()).isEqualTo(1 + CatchUp.PER_CHANNEL);
        assertThat(inbox.calls()).extracting(InboundMessage::platformMessageId)
                .doesNotContain(missed.get(CatchUp.PER_CHANNEL));
    }

    @Test
    void aChannelThatIsGoneIsSkippedAndTheOthersAreStillRead() throws Exception {
        inbox.receive(new InboundMessage("discord", "1200000000000000777", null, BOB, "bob", "long ago",
                "1300000000000000001", ChatKind.GROUP, true, null));
        inbox.await(discord.say(FakeDiscord.GENERAL, ALICE, "alice", "first"), WAIT);
        down();
        String missed = discord.say(FakeDiscord.GENERAL, ALICE, "alice", BOT_MENTION + " still there?");

        connector = connector();
        connector.start(inbox);

        inbox.await(missed, WAIT);
    }

    @Test
    void aDmReplyPendingAcrossARestartReachesItsDm() throws Exception {
        String asked = discord.dm(ALICE, "alice", "tell me later");
        InboundMessage in = inbox.await(asked, WAIT);
        restart();

        connector.deliver(new OutboundMessage(7, "discord", in.chatId(), null, "here it is", asked));
        var sent = discord.awaitSent(1, WAIT).getFirst();
        assertThat(sent.channelId()).isEqualTo(in.chatId());
        assertThat(sent.content()).isEqualTo("here it is");
    }
}
