package dev.claw4j.agent;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.LlmMessage;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Keeps an {@code llm.request} under the protocol's line limit (the host refuses longer lines). Old tool
 * output is given up first, oldest first: it is the bulk of a long conversation and the least needed.
 * Only if that is not enough are the oldest messages dropped. The conversation is shortened in place, so
 * the saved session shrinks with it.
 */
final class RequestFitter {
    static final String DROPPED = "[output dropped to fit the request size]";

    private final int maxBytes;

    RequestFitter(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The request for the conversation, made to fit; empty when even the newest message alone does not fit. */
    Optional<AgentMessage.LlmRequest> fit(List<LlmMessage> conversation,
                                          Function<List<LlmMessage>, AgentMessage.LlmRequest> build) {
        AgentMessage.LlmRequest request = build.apply(conversation);
        long excess = excess(request);
        if (excess <= 0) {
            return Optional.of(request);
        }
        // Each drop's saving is estimated by the raw UTF-8 size of the text removed, which is never more than
        // what it saves on the wire (JSON escaping only adds); so once the estimate says it fits, it does.
        for (int i = 0; i < conversation.size() && excess > 0; i++) {
            LlmMessage m = conversation.get(i);
            if (LlmMessage.TOOL.equals(m.role()) && m.text() != null && m.text().length() > DROPPED.length()) {
                conversation.set(i, new LlmMessage(m.role(), DROPPED, m.toolCalls(), m.toolCallId(), m.toolName()));
                excess -= utf8Length(m.text()) - DROPPED.length();
            }
        }
        excess = excess(build.apply(conversation));
        // Still too big: drop the oldest exchanges, whole, so the conversation still starts at a user message.
        // Rare (it takes huge chat messages or instructions), so re-encoding each time is fine.
        while (excess > 0) {
            int nextUser = nextUserMessage(conversation);
            if (nextUser < 0) {
                return Optional.empty();
            }
            conversation.subList(0, nextUser).clear();
            excess = excess(build.apply(conversation));
        }
        return Optional.of(build.apply(conversation));
    }

    /** The index of the first user message after the first message, or -1. */
    private static int nextUserMessage(List<LlmMessage> conversation) {
        for (int i = 1; i < conversation.size(); i++) {
            if (LlmMessage.USER.equals(conversation.get(i).role())) {
                return i;
            }
        }
        return -1;
    }

    private long excess(AgentMessage.LlmRequest request) {
        return utf8Length(JsonLines.encode(request)) - maxBytes;
    }

    private static long utf8Length(String text) {
        return text.getBytes(StandardCharsets.UTF_8).length;
    }
}
