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
 * @param groups        how group chats nobody listed are treated (an @mention is always needed)
 * @param allowedChats  group chats the bot always answers in (when mentioned)
 * @param allowedUsers  people who may always DM the bot
 * @param admins        people who may use the admin commands, and who may always DM the bot
 */
public record AccessPolicy(DmPolicy dm, GroupPolicy groups, Set<String> allowedChats, Set<String> allowedUsers,
                           Set<String> admins) {
    public AccessPolicy {
        allowedChats = Set.copyOf(allowedChats);
        allowedUsers = Set.copyOf(allowedUsers);
        admins = Set.copyOf(admins);
    }

    /**
     * The policy as it was before {@code groups} existed: any group when {@code allowedChats} is empty, else only
     * those. Kept so callers written then behave as they did; new code names the group policy.
     */
    public AccessPolicy(DmPolicy dm, Set<String> allowedChats, Set<String> allowedUsers, Set<String> admins) {
        this(dm, allowedChats.isEmpty() ? GroupPolicy.OPEN : GroupPolicy.ALLOWLIST, allowedChats, allowedUsers, admins);
    }

    public static AccessPolicy open() {
        return new AccessPolicy(DmPolicy.OPEN, GroupPolicy.OPEN, Set.of(), Set.of(), Set.of());
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
            return AccessPolicy.parse(DmPolicy.class, "access.dm", value);
        }
    }

    /**
     * How a group chat nobody listed in {@code allowedChats} is handled. A stranger can add the bot to their own
     * group; unless the group is approved, they get no tools and no model budget.
     */
    public enum GroupPolicy {
        /** The first @mention gets a one-time code; an admin approves the chat with {@code ./claw4j access approve CODE}. */
        APPROVAL,
        /** Only the chats in {@code allowedChats}. */
        ALLOWLIST,
        /** Any group chat (an @mention is still needed). */
        OPEN;

        public static GroupPolicy parse(String value) {
            return AccessPolicy.parse(GroupPolicy.class, "access.groups", value);
        }
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String key, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a policy; use "
                    + Arrays.stream(type.getEnumConstants()).map(v -> v.name().toLowerCase(Locale.ROOT))
                    .collect(Collectors.joining(", ")));
        }
    }
}
