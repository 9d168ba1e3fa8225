package dev.claw4j.core.store;

import java.time.Instant;

/** One line of the audit trail: what happened in which group, under which isolation. */
public record AuditEvent(long id, Instant at, String groupId, String kind, String detail, String isolation) {}
