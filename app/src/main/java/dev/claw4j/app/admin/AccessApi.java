package dev.claw4j.app.admin;

import java.util.List;
import java.util.Optional;

/**
 * Who may talk to the bot, as the admin manages it: the running host's admin endpoint ({@link AdminClient}) or,
 * when no host runs, the database itself ({@link AccessAdmin}). The records are the endpoint's JSON.
 */
public interface AccessApi {
    /** A pairing code waiting for an admin; times are ISO-8601. */
    record Pending(String code, String platform, String userId, String userName, String expiresAt) {}

    /** A person let in by a code. */
    record Granted(String platform, String userId, String grantedAt, String grantedBy) {}

    /** Everything {@code access list} shows: the policy in force, pending codes, and who is in. */
    record Overview(String dmPolicy, List<Pending> pending, List<Granted> granted, List<String> allowedUsers,
                    List<String> admins) {}

    /** The person a code let in. */
    record Approved(String platform, String userId, String userName) {}

    Overview overview();

    /** Empty when no such code is pending (mistyped, used, or expired). */
    Optional<Approved> approve(String code);

    /** False when the person had no access granted by a code. */
    boolean revoke(String platform, String userId);
}
