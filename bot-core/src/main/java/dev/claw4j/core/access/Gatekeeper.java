package dev.claw4j.core.access;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Decides whether a message is for the bot and whether its sender may talk to it. Every refusal is a
 * decision the host audits; a stranger gets one short, polite answer at most.
 */
public final class Gatekeeper {
    static final Duration CODE_VALIDITY = Duration.ofHours(1);
    static final int MAX_PENDING_PER_PLATFORM = 3;
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
            if (!m.mentionsBot()) {
                return new Decision.NotAddressed();
            }
            if (!policy.allowedChats().isEmpty() && !policy.allowedChats().contains(m.platform() + ":" + m.chatId())) {
                // a chat nobody approved gets no answer at all: the bot may have been added by a stranger
                return new Decision.Refuse("chat " + m.platform() + ":" + m.chatId() + " is not in access.allowedChats",
                        null);
            }
            return new Decision.Allow();
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
            case PAIRING -> pairing(m, who);
        };
    }

    private Decision pairing(InboundMessage m, String who) {
        Instant now = clock.instant();
        Optional<AccessStore.PairingCode> pending = store.pendingCode(m.platform(), m.senderId(), now);
        if (pending.isPresent()) {
            return new Decision.Refuse(who + " is waiting for approval of code " + pending.get().code(), null);
        }
        if (store.pendingCount(m.platform(), now) >= MAX_PENDING_PER_PLATFORM) {
            return new Decision.Refuse("pairing: " + MAX_PENDING_PER_PLATFORM + " codes already pending on "
                    + m.platform() + "; " + who + " got no code", null);
        }
        String code = newCode();
        store.addCode(new AccessStore.PairingCode(code, m.platform(), m.senderId(), m.senderName(),
                now.plus(CODE_VALIDITY)), now);
        return new Decision.Refuse("pairing: code " + code + " issued to " + who,
                "Hi! I don't know you yet. Ask my admin to approve you with this code: " + code
                        + " (valid for one hour).");
    }

    private String newCode() {
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            code.append(CODE_ALPHABET.charAt(random.nextInt(CODE_ALPHABET.length())));
        }
        return code.toString();
    }
}
