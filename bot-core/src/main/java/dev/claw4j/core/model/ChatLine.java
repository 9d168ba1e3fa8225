package dev.claw4j.core.model;

import java.time.Instant;

/**
 * One message of a chat's history as the host recorded it: {@code direction} is {@code in} (a person) or
 * {@code out} (the agent); {@code status} is PENDING, RUNNING, DONE or FAILED for inbound messages, PENDING
 * or DELIVERED for replies.
 */
public record ChatLine(long id, String direction, String sender, String text, String status, Instant at) {}
