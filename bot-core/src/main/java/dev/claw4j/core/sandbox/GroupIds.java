package dev.claw4j.core.sandbox;

import java.util.regex.Pattern;

/** Group ids appear in paths, container names and labels, so they are kept to a safe alphabet. */
public final class GroupIds {
    private static final Pattern VALID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    private GroupIds() {}

    public static String requireValid(String groupId) {
        if (groupId == null || !VALID.matcher(groupId).matches()) {
            throw new IllegalArgumentException("bad group id '" + groupId
                    + "': use 1-63 characters of a-z, 0-9, '-' and '_', starting with a letter or digit");
        }
        return groupId;
    }
}
