package dev.claw4j.core.access;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GatekeeperTest {
    private final Store store = Store.inMemory(UUID.randomUUID().toString());
    private final AccessStore access = new AccessStore(store.dataSource());
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

    @AfterEach
    void close() {
        store.close();
    }

    private Gatekeeper gatekeeper(AccessPolicy.DmPolicy dm, Set<String> chats, Set<String> users) {
        return new Gatekeeper(new AccessPolicy(dm, chats, users, Set.of("web:boss")), access, clock);
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
    void atMostThreeCodesArePendingPerPlatform() {
        Gatekeeper g = gatekeeper(AccessPolicy.DmPolicy.PAIRING, Set.of(), Set.of());
        for (String who : new String[] {"a", "b", "c"}) {
            assertThat(((Gatekeeper.Decision.Refuse) g.decide(dm(who))).reply()).isNotNull();
        }
        var fourth = (Gatekeeper.Decision.Refuse) g.decide(dm("d"));
        assertThat(fourth.reply()).isNull();
        assertThat(fourth.reason()).contains("3 codes already pending");
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
