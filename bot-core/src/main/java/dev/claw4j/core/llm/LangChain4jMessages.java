package dev.claw4j.core.llm;

import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.Usage;
import dev.langchain4j.agent.tool.ToolExecutionRequest;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.Content;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.ToolExecutionResultMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** Converts between our protocol messages and LangChain4j's, both ways. */
final class LangChain4jMessages {

    private LangChain4jMessages() {}

    static List<ChatMessage> toLangChain4j(String system, List<LlmMessage> messages) {
        return toLangChain4j(system, messages, List.of());
    }

    /**
     * @param images shown with the last user message: the turn's own message, or a follow-up that joined it,
     *               which the merged run of user messages ends with
     */
    static List<ChatMessage> toLangChain4j(String system, List<LlmMessage> messages, List<ModelImage> images) {
        List<ChatMessage> out = new ArrayList<>();
        if (system != null && !system.isBlank()) {
            out.add(SystemMessage.from(system));
        }
        List<LlmMessage> merged = mergeUserRuns(messages);
        int lastUser = -1;
        for (int i = 0; i < merged.size(); i++) {
            if (LlmMessage.USER.equals(merged.get(i).role())) {
                lastUser = i;
            }
        }
        for (int i = 0; i < merged.size(); i++) {
            LlmMessage m = merged.get(i);
            switch (m.role() == null ? "" : m.role()) {
                case LlmMessage.USER -> out.add(i == lastUser && !images.isEmpty()
                        ? withImages(orPlaceholder(m.text()), images) : UserMessage.from(orPlaceholder(m.text())));
                case LlmMessage.ASSISTANT -> {
                    // Providers refuse an assistant turn with neither text nor tool calls; it carries nothing.
                    if (m.hasToolCalls() || !isBlank(m.text())) {
                        out.add(assistant(m));
                    }
                }
                case LlmMessage.TOOL -> out.add(ToolExecutionResultMessage.from(m.toolCallId(), m.toolName(),
                        m.text() == null ? "" : m.text()));
                default -> throw new IllegalArgumentException("message role '" + m.role()
                        + "' is not one of user, assistant, tool");
            }
        }
        return out;
    }

    private static UserMessage withImages(String text, List<ModelImage> images) {
        List<Content> parts = new ArrayList<>();
        parts.add(TextContent.from(text));
        for (ModelImage image : images) {
            // AUTO, not LangChain4j's default LOW: OpenAI would shrink a screenshot to 512 px and lose its text
            parts.add(ImageContent.from(Base64.getEncoder().encodeToString(image.data()), image.mimeType(),
                    ImageContent.DetailLevel.AUTO));
        }
        return UserMessage.from(parts);
    }

    /**
     * Joins consecutive user messages with a blank line. Anthropic wants user and assistant turns to
     * alternate, and follow-ups that arrive during a turn can make two user messages in a row.
     */
    static List<LlmMessage> mergeUserRuns(List<LlmMessage> messages) {
        List<LlmMessage> out = new ArrayList<>();
        for (LlmMessage m : messages) {
            int last = out.size() - 1;
            if (LlmMessage.USER.equals(m.role()) && last >= 0 && LlmMessage.USER.equals(out.get(last).role())) {
                out.set(last, LlmMessage.user(join(out.get(last).text(), m.text())));
            } else {
                out.add(m);
            }
        }
        return out;
    }

    static ModelReply fromLangChain4j(ChatResponse response) {
        AiMessage ai = response.aiMessage();
        if (ai == null) {
            throw new IllegalStateException("the answer has no assistant message");
        }
        List<ToolCall> calls = new ArrayList<>();
        if (ai.hasToolExecutionRequests()) {
            for (ToolExecutionRequest r : ai.toolExecutionRequests()) {
                // Gemini's functionCall has no id; the agent pairs results with calls by id, so give each one.
                String id = isBlank(r.id()) ? "call_" + (calls.size() + 1) : r.id();
                calls.add(new ToolCall(id, r.name(), isBlank(r.arguments()) ? "{}" : r.arguments()));
            }
        }
        LlmMessage message = LlmMessage.assistant(ai.text(), calls);
        return new ModelReply(message, usage(response.tokenUsage()), stopReason(response.finishReason(), !calls.isEmpty()));
    }

    private static AiMessage assistant(LlmMessage m) {
        List<ToolExecutionRequest> requests = new ArrayList<>();
        for (ToolCall call : m.toolCalls()) {
            requests.add(ToolExecutionRequest.builder()
                    .id(call.id())
                    .name(call.name())
                    .arguments(isBlank(call.arguments()) ? "{}" : call.arguments())
                    .build());
        }
        return AiMessage.builder()
                .text(isBlank(m.text()) ? null : m.text())
                .toolExecutionRequests(requests)
                .build();
    }

    private static Usage usage(TokenUsage usage) {
        if (usage == null) {
            return Usage.NONE;
        }
        return new Usage(orZero(usage.inputTokenCount()), orZero(usage.outputTokenCount()));
    }

    private static String stopReason(FinishReason reason, boolean hasToolCalls) {
        if (hasToolCalls) {
            return ModelReply.TOOL_USE;
        }
        if (reason == null) {
            return ModelReply.END_TURN;
        }
        return switch (reason) {
            case STOP -> ModelReply.END_TURN;
            case TOOL_EXECUTION -> ModelReply.TOOL_USE;
            case LENGTH -> ModelReply.MAX_TOKENS;
            case CONTENT_FILTER -> ModelReply.CONTENT_FILTER;
            case OTHER -> ModelReply.OTHER;
        };
    }

    private static String join(String a, String b) {
        if (isBlank(a)) {
            return b;
        }
        return isBlank(b) ? a : a + "\n\n" + b;
    }

    private static String orPlaceholder(String text) {
        // LangChain4j refuses blank user text; an empty message still means "the user said something".
        return isBlank(text) ? "(empty message)" : text;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static long orZero(Integer n) {
        return n == null ? 0 : n;
    }
}
