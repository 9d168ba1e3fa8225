package dev.claw4j.core.store;

import dev.claw4j.protocol.Usage;
import java.math.BigDecimal;
import java.time.Instant;

/** Every model call: its tokens, latency, outcome and (when known then) its cost. */
public final class UsageLog {
    private final Jdbc jdbc;

    UsageLog(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public void recordUsage(String groupId, String model, Usage usage, long latencyMs, String outcome) {
        recordUsage(groupId, model, usage, latencyMs, outcome, null, Instant.now());
    }

    /** With what the call cost at the prices of its time (null: priced when read) and when it was made. */
    public void recordUsage(String groupId, String model, Usage usage, long latencyMs, String outcome,
                            BigDecimal cost, Instant at) {
        jdbc.run("recording usage", tx -> tx.update("INSERT INTO model_usage (occurred_at, group_id, model, "
                + "input_tokens, output_tokens, latency_ms, outcome, cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                at, groupId, model == null ? "unknown" : model, usage == null ? 0L : usage.inputTokens(),
                usage == null ? 0L : usage.outputTokens(), latencyMs, outcome,
                Tx.orNull(cost, java.sql.Types.DECIMAL)));
    }

    /** Tokens (in and out) a group's model calls used since {@code since}. */
    public long tokensSince(String groupId, Instant since) {
        return jdbc.run("reading usage", tx -> tx.one("SELECT COALESCE(SUM(input_tokens + output_tokens), 0) "
                + "FROM model_usage WHERE group_id = ? AND occurred_at >= ?", rs -> rs.getLong(1), groupId, since));
    }

    /** Tokens (in and out) of every group's model calls since {@code since}. */
    public long tokensSince(Instant since) {
        return jdbc.run("reading usage", tx -> tx.one("SELECT COALESCE(SUM(input_tokens + output_tokens), 0) "
                + "FROM model_usage WHERE occurred_at >= ?", rs -> rs.getLong(1), since));
    }

    public Usage totalUsage(String groupId) {
        return jdbc.run("reading usage", tx -> tx.one("SELECT COALESCE(SUM(input_tokens), 0), "
                + "COALESCE(SUM(output_tokens), 0) FROM model_usage WHERE group_id = ?",
                rs -> new Usage(rs.getLong(1), rs.getLong(2)), groupId));
    }
}
