package dev.claw4j.core.access;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may talk to the bot. People and chats are written {@code platform:id} (for example
 * {@code telegram:123456} or {@code web:ana}).
 *
 * @param dm            how strangers in direct messages are treated
 * @param allowedChats  group chats the bot answers in; empty means any (an @mention is always needed)
 * @param allowedUsers  people who may always DM the bot
 * @param admins        people who may use the admin commands, and who may always DM the bot
 */
public record AccessPolicy(DmPolicy dm, Set<String> allowedChats, Set<String> allowedUsers, Set<String> admins) {
    public AccessPolicy {
        allowedChats = Set.copyOf(allowedChats);
        allowedUsers = Set.copyOf(allowedUsers);
        admins = Set.copyOf(admins);
    }

    public static AccessPolicy open() {
        return new AccessPolicy(DmPolicy.OPEN, Set.of(), Set.of(), Set.of());
    }

    public boolean isAdmin(String platform, String userId) {
        return admins.contains(platform + ":" + userId);
    }

    /** How direct messages from people not yet known are handled. */
    public enum DmPolicy {
        /** A stranger gets a one-time code; an admin approves it with {@code ./claw4j access approve CODE}. */
        PAIRING,
        /** Only people on the allowlist (or approved before). */
        ALLOWLIST,
        /** Anyone. */
        OPEN,
        /** No direct messages at all. */
        DISABLED;

        public static DmPolicy parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new IllegalArgumentException("access.dm: '" + value + "' is not a policy; use "
                        + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT))
                        .collect(Collectors.joining(", ")));
            }
        }
    }
}
