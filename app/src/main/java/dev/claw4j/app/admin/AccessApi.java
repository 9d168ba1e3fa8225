package dev.claw4j.app.admin;

import java.util.List;
import java.util.Optional;

/**
 * Who may talk to the bot, as the admin manages it: the running host's admin endpoint ({@link AdminClient}) or,
 * when no host runs, the database itself ({@link AccessAdmin}). The records are the endpoint's JSON.
 */
public interface AccessApi {
    /**
     * A pairing code waiting for an admin; times are ISO-8601. {@code chatId} is set for a group chat's code
     * (approving it lets the chat in; {@code userId} is who asked), null for a person's.
     */
    record Pending(String code, String platform, String userId, String userName, String expiresAt, String chatId) {}

    /** A person let in by a code. */
    record Granted(String platform, String userId, String grantedAt, String grantedBy) {}

    /** A group chat let in by a code. */
    record GrantedChat(String platform, String chatId, String grantedAt, String grantedBy) {}

    /** Everything {@code access list} shows: the policies in force, pending codes, and who and which chats are in. */
    record Overview(String dmPolicy, String groupsPolicy, List<Pending> pending, List<Granted> granted,
                    List<GrantedChat> grantedChats, List<String> allowedUsers, List<String> admins,
                    List<String> allowedChats) {}

    /** The person, or with {@code chatId} the group chat, a code let in. */
    record Approved(String platform, String userId, String userName, String chatId) {
        public Approved(String platform, String userId, String userName) {
            this(platform, userId, userName, null);
        }
    }

    Overview overview();

    /** Empty when no such code is pending (mistyped, used, or expired). */
    Optional<Approved> approve(String code);

    /**
     * Dismisses a pending code without letting anyone in (the console's "deny"); false when no such code is
     * pending. Only where the database is at hand (the running host's console), not over the admin endpoint.
     */
    default boolean deny(String code) {
        throw new UnsupportedOperationException("denying a code is done in the console of the running host");
    }

    /** False when the person had no access granted by a code. */
    boolean revoke(String platform, String userId);

    /** False when the group chat had no access granted by a code. */
    boolean revokeChat(String platform, String chatId);
}
