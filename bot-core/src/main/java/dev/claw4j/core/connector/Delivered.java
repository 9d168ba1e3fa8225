package dev.claw4j.core.connector;

import java.util.List;

/**
 * What the platform gave back for a delivered reply: the ids of the messages it made, in order (a reply split
 * into parts has several). Empty when the platform accepted it without a readable answer (a 2xx whose body
 * could not be parsed still means delivered) or when there was nothing to post.
 */
public record Delivered(List<String> platformMessageIds) {
    public static final Delivered NO_IDS = new Delivered(List.of());

    public Delivered {
        platformMessageIds = platformMessageIds == null ? List.of() : List.copyOf(platformMessageIds);
    }

    public static Delivered of(String... ids) {
        return new Delivered(List.of(ids));
    }
}
