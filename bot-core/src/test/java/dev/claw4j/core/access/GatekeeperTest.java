package dev.claw4j.core.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class GatekeeperTest {
    private final Store store;
    private final AccessStore access;
    private Instant now = Instant.parse("2026-11-27T10:00:00Z");
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    GatekeeperTest(TestDatabase db) {
        this.store = db.open();
        this.access = new AccessStore(store.dataSource());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private Gatekeeper gatekeeper(AccessPolicy.DmPolicy dm, Set<String> chats, Set<String> users) {
        return new Gatekeeper(new AccessPolicy(dm, chats, users, Set.of("web:boss")), access, clock);
    }

    private Gatekeeper groups(AccessPolicy.GroupPolicy groups, Set<String> chats) {
        return new Gatekeeper(new AccessPolicy(AccessPolicy.DmPolicy.PAIRING, groups, chats, Set.of(),
                Set.of("web:boss")), access, clock);
    }

    private static InboundMessage group(String chat, String who) {
        return new InboundMessage("web", chat, null, who, who, "@claw hi", UUID.randomUUID().toString(),
                ChatKind.GROUP, true, null);
    }

    private static String codeIn(Gatekeeper.Decision d) {
        String reply = ((Gatekeeper.Decision.Refuse) d).reply();
        assertThat(reply).as("a reply with a code").containsPattern("code: [A-Z2-9]{8} \\(valid for one hour\\)");
        return reply.replaceAll(".*code: ([A-Z2-9]{8}).*", "$1");
    }

    private static InboundMessage dm(String who) {
        return new InboundMessage("web", "dm-" + who, null, who, who, "hi", UUID.randomUUID().toString(),
                ChatKind.DIRECT, false, null);
    }

    private static InboundMessage group(String chat, boolean mention) {
        return new InboundMessage("web", chat, null, "zed", "zed", "hi", UUID.randomUUID().toString(), ChatKind.GROUP,
                mention, null);
    }

    @Test
    void pairingGivesOneCodeThatAnAdminApprovesAndThatExpiresAfterAnHour() {
        Gatekeeper g = gatekeeper(AccessPolicy.DmPolicy.PAIRING, Set.of(), Set.of());
        var first = (Gatekeeper.Decision.Refuse) g.decide(dm("ana"));
        assertThat(first.reply()).containsPattern("code: [A-Z2-9]{8} \\(valid for one hour\\)");
        var again = (Gatekeeper.Decision.Refuse) g.decide(dm("ana"));
        assertThat(again.reply()).as("one answer at most").isNull();

        now = now.plus(Duration.ofMinutes(61));
        var fresh = (Gatekeeper.Decision.Refuse) g.decide(dm("ana"));
        assertThat(fresh.reply()).as("an expired code is replaced").isNotNull().isNotEqualTo(first.reply());
        String code = fresh.reply().replaceAll(".*code: ([A-Z2-9]{8}).*", "$1");
        String oldCode = first.reply().replaceAll(".*code: ([A-Z2-9]{8}).*", "$1");
        assertThat(access.approve(oldCode, "test", now)).as("an expired code cannot be approved").isEmpty();
        assertThat(access.approve(code, "test", now)).isPresent();
        assertThat(access.approve(code, "test", now)).as("codes are one-time").isEmpty();
        assertThat(g.decide(dm("ana"))).isInstanceOf(Gatekeeper.Decision.Allow.class);
    }

    @Test
    void threeStrangersFillingTheirCapsDoNotLockOutAFourth() {
        Gatekeeper g = gatekeeper(AccessPolicy.DmPolicy.PAIRING, Set.of(), Set.of());
        Gatekeeper gg = groups(AccessPolicy.GroupPolicy.APPROVAL, Set.of());
        for (String who : new String[] {"a", "b", "c"}) {
            codeIn(g.decide(dm(who)));
            // each stranger also asks in as many groups as they can make
            for (int n = 0; n < 10; n++) {
                gg.decide(group(who + "-room-" + n, who));
            }
            var capped = (Gatekeeper.Decision.Refuse) gg.decide(group(who + "-room-x", who));
            assertThat(capped.reply()).as("the stranger's cap is reached").isNull();
            assertThat(capped.reason()).contains("at most " + Gatekeeper.MAX_PENDING_PER_SENDER + " per person");
        }
        assertThat(access.pendingCodes(now)).hasSize(3 * Gatekeeper.MAX_PENDING_PER_SENDER);
        codeIn(g.decide(dm("d")));
        codeIn(gg.decide(group("d-room", "d")));
    }

    @Test
    void theGlobalCapBoundsTheTableWhateverManyAccountsWrite() {
        Gatekeeper g = gatekeeper(AccessPolicy.DmPolicy.PAIRING, Set.of(), Set.of());
        for (int n = 0; n < Gatekeeper.MAX_PENDING; n++) {
            codeIn(g.decide(dm("s" + n)));
        }
        var refused = (Gatekeeper.Decision.Refuse) g.decide(dm("one-too-many"));
        assertThat(refused.reply()).isNull();
        assertThat(refused.reason()).contains("at most " + Gatekeeper.MAX_PENDING + " in all");
        now = now.plus(Duration.ofMinutes(61));
        codeIn(g.decide(dm("one-too-many")));
    }

    @Test
    void manyThreadsAtOnceGetOneCodePerPersonAndPerChat() throws Exception {
        Gatekeeper g = gatekeeper(AccessPolicy.DmPolicy.PAIRING, Set.of(), Set.of());
        Gatekeeper gg = groups(AccessPolicy.GroupPolicy.APPROVAL, Set.of());
        int threads = 16;
        var start = new java.util.concurrent.CountDownLatch(1);
        var replies = new java.util.concurrent.ConcurrentLinkedQueue<String>();
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(threads)) {
            var done = new java.util.ArrayList<java.util.concurrent.Future<?>>();
            for (int t = 0; t < threads; t++) {
                int n = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (String who : new String[] {"ana", "ben", "cat"}) {
                        var d = (Gatekeeper.Decision.Refuse) g.decide(dm(who));
                        if (d.reply() != null) {
                            replies.add(who);
                        }
                    }
                    // different people mention the bot in the same stranger's group
                    var d = (Gatekeeper.Decision.Refuse) gg.decide(group("their-room", "p" + n));
                    if (d.reply() != null) {
                        replies.add("their-room");
                    }
                    return null;
                }));
            }
            start.countDown();
            for (var f : done) {
                f.get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
        assertThat(replies).as("one answer with a code each").containsExactlyInAnyOrder("ana", "ben", "cat",
                "their-room");
        assertThat(access.pendingCodes(now)).hasSize(4);
    }

    @Test
    void approvalGivesAGroupACodeAndApprovingItGrantsTheChatNotThePerson() {
        Gatekeeper g = groups(AccessPolicy.GroupPolicy.APPROVAL, Set.of("web:team"));
        assertThat(g.decide(group("team", "zed"))).as("listed chats need no code").isInstanceOf(Gatekeeper.Decision.Allow.class);
        assertThat(g.decide(group("theirs", false))).isInstanceOf(Gatekeeper.Decision.NotAddressed.class);
        Gatekeeper.Decision first = g.decide(group("theirs", "zed"));
        String code = codeIn(first);
        assertThat(((Gatekeeper.Decision.Refuse) first).reason()).contains("web:theirs").contains("web:zed");
        assertThat(((Gatekeeper.Decision.Refuse) g.decide(group("theirs", "zed"))).reply()).as("one answer at most")
                .isNull();
        assertThat(((Gatekeeper.Decision.Refuse) g.decide(group("theirs", "amy"))).reply())
                .as("one code per chat, whoever asks").isNull();
        assertThat(access.pendingCodes(now)).singleElement().satisfies(c -> {
            assertThat(c.chatId()).isEqualTo("theirs");
            assertThat(c.userId()).isEqualTo("zed");
        });

        assertThat(access.approve(code, "test", now)).hasValueSatisfying(c -> assertThat(c.forChat()).isTrue());
        assertThat(g.decide(group("theirs", "amy"))).isInstanceOf(Gatekeeper.Decision.Allow.class);
        assertThat(access.isGranted("web", "zed")).as("the chat is approved, not the person").isFalse();
        codeIn(g.decide(dm("zed")));

        assertThat(access.revokeChat("web", "theirs")).isTrue();
        assertThat(g.decide(group("theirs", "amy"))).isInstanceOf(Gatekeeper.Decision.Refuse.class);
    }

    @Test
    void allowlistAnswersOnlyListedChatsAndOpenAnyChat() {
        Gatekeeper listed = groups(AccessPolicy.GroupPolicy.ALLOWLIST, Set.of("web:team"));
        assertThat(listed.decide(group("team", "zed"))).isInstanceOf(Gatekeeper.Decision.Allow.class);
        var refused = (Gatekeeper.Decision.Refuse) listed.decide(group("theirs", "zed"));
        assertThat(refused.reply()).as("no answer, no code").isNull();
        assertThat(refused.reason()).contains("web:theirs").contains("allowlist");
        assertThat(access.pendingCodes(now)).isEmpty();

        Gatekeeper open = groups(AccessPolicy.GroupPolicy.OPEN, Set.of());
        assertThat(open.decide(group("theirs", "zed"))).isInstanceOf(Gatekeeper.Decision.Allow.class);
        assertThat(open.decide(group("theirs", false))).as("a mention is still needed")
                .isInstanceOf(Gatekeeper.Decision.NotAddressed.class);
    }

    @Test
    void adminsAndAllowedUsersAreAlwaysLetIn() {
        Gatekeeper g = gatekeeper(AccessPolicy.DmPolicy.DISABLED, Set.of(), Set.of("web:ana"));
        assertThat(g.decide(dm("boss"))).isInstanceOf(Gatekeeper.Decision.Allow.class);
        assertThat(g.decide(dm("ana"))).isInstanceOf(Gatekeeper.Decision.Allow.class);
        assertThat(((Gatekeeper.Decision.Refuse) g.decide(dm("zed"))).reply()).isNull();
    }

    @Test
    void allowlistTellsAStrangerOnceOnly() {
        Gatekeeper g = gatekeeper(AccessPolicy.DmPolicy.ALLOWLIST, Set.of(), Set.of());
        assertThat(((Gatekeeper.Decision.Refuse) g.decide(dm("zed"))).reply()).contains("admin");
        assertThat(((Gatekeeper.Decision.Refuse) g.decide(dm("zed"))).reply()).isNull();
    }

    @Test
    void groupsNeedAMentionAndAnAllowedChat() {
        Gatekeeper open = gatekeeper(AccessPolicy.DmPolicy.OPEN, Set.of(), Set.of());
        assertThat(open.decide(group("any", false))).isInstanceOf(Gatekeeper.Decision.NotAddressed.class);
        assertThat(open.decide(group("any", true))).isInstanceOf(Gatekeeper.Decision.Allow.class);
        Gatekeeper limited = gatekeeper(AccessPolicy.DmPolicy.OPEN, Set.of("web:team"), Set.of());
        assertThat(limited.decide(group("team", true))).isInstanceOf(Gatekeeper.Decision.Allow.class);
        var refused = (Gatekeeper.Decision.Refuse) limited.decide(group("other", true));
        assertThat(refused.reply()).isNull();
        assertThat(refused.reason()).contains("web:other");
    }
}
