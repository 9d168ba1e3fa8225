package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.connector.Inbox.LastSeen;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The query a connector without replay catches up from: the newest inbound message of each chat and thread. */
@OnBothDatabases
class StoreLatestInboundTest {
    private final Store store;
    private final Instant now = Instant.now();

    StoreLatestInboundTest(TestDatabase db) {
        this.store = db.open();
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theNewestMessageOfEachChatAndThreadByNumericId() {
        // "999" sorts after "1000" as text; by number it is older
        in("discord", "C1", null, "1000", "ann", ChatKind.GROUP, now);
        in("discord", "C1", null, "999", "bob", ChatKind.GROUP, now);
        in("discord", "C1", "T1", "1005", "bob", ChatKind.GROUP, now);
        in("discord", "C1", "T1", "1001", "ann", ChatKind.GROUP, now);
        in("discord", "D1", null, "1002", "cat", ChatKind.DIRECT, now);

        assertThat(store.messages().latestInbound("discord", now.minus(Duration.ofDays(7)))).containsExactly(
                new LastSeen("C1", null, "1000", "ann", ChatKind.GROUP),
                new LastSeen("D1", null, "1002", "cat", ChatKind.DIRECT),
                new LastSeen("C1", "T1", "1005", "bob", ChatKind.GROUP));
    }

    @Test
    void quietChatsAndOtherPlatformsAreLeftOut() {
        in("discord", "OLD", null, "10", "ann", ChatKind.GROUP, now.minus(Duration.ofDays(30)));
        in("discord", "NEW", null, "20", "ann", ChatKind.GROUP, now);
        in("slack", "S1", null, "30", "ann", ChatKind.GROUP, now);

        assertThat(store.messages().latestInbound("discord", now.minus(Duration.ofDays(7))))
                .extracting(LastSeen::chatId).containsExactly("NEW");
    }

    @Test
    void repliesAreNotInboundMessages() {
        in("discord", "C1", null, "10", "ann", ChatKind.GROUP, now);
        store.outbox().insertReply("g1", "discord", "C1", null, "an answer", null, java.util.List.of(), false);

        assertThat(store.messages().latestInbound("discord", now.minus(Duration.ofDays(1))))
                .extracting(LastSeen::platformMessageId).containsExactly("10");
    }

    private void in(String platform, String chat, String thread, String id, String sender, ChatKind kind,
                    Instant at) {
        store.chats().ensureChat(platform, chat, kind);
        store.messages().insertInbound(new InboundMessage(platform, chat, thread, sender, sender, "hi", id, kind, true, at),
                MessageStatus.PENDING);
    }
}
