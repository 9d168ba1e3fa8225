package dev.claw4j.core.llm;

import dev.claw4j.protocol.Usage;

/**
 * One model call as the gateway saw it, for usage accounting and the audit trail. {@code latencyMs}
 * covers all attempts and the waits between them; {@code error} is null when the call succeeded and
 * never contains the API key.
 */
public record ModelCallRecord(String groupId, String model, Usage usage, long latencyMs, int attempts,
                              Outcome outcome, String error) {

    public enum Outcome { OK, FAILED }

    public boolean ok() {
        return outcome == Outcome.OK;
    }
}
