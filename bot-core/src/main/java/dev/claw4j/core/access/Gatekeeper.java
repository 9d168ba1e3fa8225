package dev.claw4j.core.access;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Decides whether a message is for the bot and whether its sender may talk to it. Every refusal is a
 * decision the host audits; a stranger gets one short, polite answer at most.
 */
public final class Gatekeeper {
    static final Duration CODE_VALIDITY = Duration.ofHours(1);
    /**
     * Pending codes one person's messages may hold (their own and the group chats they asked about). Per person,
     * not per platform, so a few strangers cannot use up the codes everyone else needs.
     */
    static final int MAX_PENDING_PER_SENDER = 3;
    /** Pending codes in all: a bound on the table whatever many accounts write, well above a few strangers. */
    static final int MAX_PENDING = 50;
    /** No 0/O or 1/I: codes are read aloud and typed by hand. */
    private static final String CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

    /** The outcome for one message. */
    public sealed interface Decision {
        /** For the bot, from someone allowed. */
        record Allow() implements Decision {}

        /** Not addressed to the bot (a group message without a mention): stored, not answered. */
        record NotAddressed() implements Decision {}

        /** Refused. {@code reply} is the one answer the sender gets, or null; {@code reason} goes to the audit. */
        record Refuse(String reason, String reply) implements Decision {}
    }

    private final AccessPolicy policy;
    private final AccessStore store;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public Gatekeeper(AccessPolicy policy, AccessStore store, Clock clock) {
        this.policy = policy;
        this.store = store;
        this.clock = clock;
    }

    public AccessPolicy policy() {
        return policy;
    }

    public Decision decide(InboundMessage m) {
        if (m.kind() == ChatKind.GROUP) {
            return group(m);
        }
        String who = m.platform() + ":" + m.senderId();
        if (policy.admins().contains(who) || policy.allowedUsers().contains(who)
                || store.isGranted(m.platform(), m.senderId())) {
            return new Decision.Allow();
        }
        return switch (policy.dm()) {
            case OPEN -> new Decision.Allow();
            case DISABLED -> new Decision.Refuse("direct messages are disabled (access.dm: disabled)", null);
            case ALLOWLIST -> new Decision.Refuse(who + " is not on the allowlist",
                    store.noticeOnce(m.platform(), m.senderId())
                            ? "Sorry, I only talk to people the admin has allowed. Ask them to add you." : null);
            case PAIRING -> pairing(m, null, who,
                    code -> "Hi! I don't know you yet. Ask my admin to approve you with this code: " + code
                            + " (valid for one hour).");
        };
    }

    private Decision group(InboundMessage m) {
        if (!m.mentionsBot()) {
            return new Decision.NotAddressed();
        }
        String chat = m.platform() + ":" + m.chatId();
        if (policy.allowedChats().contains(chat) || store.isChatGranted(m.platform(), m.chatId())) {
            return new Decision.Allow();
        }
        // a chat nobody approved: the bot may have been added by a stranger, who gets no tools and no model budget
        return switch (policy.groups()) {
            case OPEN -> new Decision.Allow();
            case ALLOWLIST -> new Decision.Refuse("chat " + chat + " is not in access.allowedChats "
                    + "(access.groups: allowlist); asked by " + m.platform() + ":" + m.senderId(), null);
            case APPROVAL -> pairing(m, m.chatId(), "chat " + chat + " (asked by " + m.platform() + ":"
                    + m.senderId() + ")", code -> "This chat is not approved yet. Ask my admin to approve it with "
                    + "this code: " + code + " (valid for one hour).");
        };
    }

    /** A code for the sender ({@code chatId} null) or for a group chat; the reply is sent once, with a new code. */
    private Decision pairing(InboundMessage m, String chatId, String who,
                             java.util.function.Function<String, String> reply) {
        Instant now = clock.instant();
        var wanted = new AccessStore.PairingCode(newCode(), m.platform(), m.senderId(), m.senderName(),
                now.plus(CODE_VALIDITY), chatId);
        return switch (store.issue(wanted, now, MAX_PENDING_PER_SENDER, MAX_PENDING)) {
            case AccessStore.Issue.Issued issued -> new Decision.Refuse("pairing: code " + issued.code().code()
                    + " issued to " + who, reply.apply(issued.code().code()));
            case AccessStore.Issue.AlreadyPending pending -> new Decision.Refuse(who + " is waiting for approval of "
                    + "code " + pending.code().code(), null);
            case AccessStore.Issue.Capped capped -> new Decision.Refuse("pairing: " + capped.why() + "; " + who
                    + " got no code", null);
        };
    }

    private String newCode() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            code.append(CODE_ALPHABET.charAt(random.nextInt(CODE_ALPHABET.length())));
        }
        return code.toString();
    }
}
