package dev.claw4j.core.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.llm.ModelException.Kind;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolSpec;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.UnresolvedModelServerException;
import dev.langchain4j.model.anthropic.AnthropicChatModel;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.googleai.GoogleAiGeminiChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.List;

/**
 * {@link ModelClient} on LangChain4j's chat models: Anthropic, Google Gemini, or OpenAI and every
 * OpenAI-compatible server by base URL. LangChain4j's own retries are off ({@code maxRetries(0)}) so that
 * {@link ModelGateway} alone decides when to try again, and sees every attempt.
 */
public final class LangChain4jModelClient implements ModelClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_DETAIL = 300;

    private final ModelSettings settings;
    private final ChatModel model;

    public LangChain4jModelClient(ModelSettings settings) {
        this.settings = settings;
        this.model = switch (settings.provider()) {
            case ANTHROPIC -> anthropic(settings);
            case OPENAI -> openAi(settings);
            case GEMINI -> gemini(settings);
        };
    }

    @Override
    public String model() {
        return settings.label();
    }

    @Override
    public ModelReply chat(String system, List<LlmMessage> messages, List<ToolSpec> tools, int maxTokens)
            throws ModelException {
        return chat(system, messages, tools, maxTokens, List.of());
    }

    /** One canned call of this provider's client against a loopback server; never the provider (ModelWarmUp). */
    @Override
    public boolean warmUp() {
        return ModelWarmUp.run(settings);
    }

    @Override
    public boolean acceptsImages() {
        return settings.images();
    }

    @Override
    public ModelReply chat(String system, List<LlmMessage> messages, List<ToolSpec> tools, int maxTokens,
                           List<ModelImage> images) throws ModelException {
        ChatRequest request;
        try {
            List<ChatMessage> chatMessages = LangChain4jMessages.toLangChain4j(system, messages,
                    settings.images() && images != null ? images : List.of());
            ChatRequest.Builder builder = ChatRequest.builder().messages(chatMessages).maxOutputTokens(maxTokens);
            if (tools != null && !tools.isEmpty()) {
                List<ToolSpecification> specs = tools.stream().map(ToolSchemas::toSpecification).toList();
                builder.toolSpecifications(specs);
            }
            request = builder.build();
        } catch (RuntimeException e) {
            // Our own request is malformed (bad role, bad tool schema): sending it again cannot help.
            throw new ModelException(Kind.BAD_REQUEST, false, null, null,
                    "the request could not be built: " + redact(e.getMessage()), null);
        }
        ChatResponse response;
        try {
            response = model.chat(request);
        } catch (RuntimeException e) {
            throw classify(e);
        }
        try {
            return LangChain4jMessages.fromLangChain4j(response);
        } catch (RuntimeException e) {
            throw new ModelException(Kind.BAD_ANSWER, false, null, null,
                    "the model's answer could not be read: " + redact(e.getMessage()), null);
        }
    }

    private static ChatModel anthropic(ModelSettings s) {
        AnthropicChatModel.AnthropicChatModelBuilder builder = AnthropicChatModel.builder()
                .httpClientBuilder(ProviderHttpClient.builder())
                .apiKey(s.apiKey())
                .modelName(s.name())
                .maxTokens(s.maxTokens())
                .timeout(s.timeout())
                .maxRetries(0);
        if (s.baseUrl() != null) {
            builder.baseUrl(withTrailingSlash(s.baseUrl()));
        }
        return builder.build();
    }

    private static ChatModel openAi(ModelSettings s) {
        OpenAiChatModel.OpenAiChatModelBuilder builder = OpenAiChatModel.builder()
                .httpClientBuilder(ProviderHttpClient.builder())
                // No key means no Authorization header at all, which local servers expect.
                .apiKey(s.apiKey().isEmpty() ? null : s.apiKey())
                .modelName(s.name())
                .timeout(s.timeout())
                .maxRetries(0);
        if (s.baseUrl() != null) {
            builder.baseUrl(s.baseUrl());
        }
        return builder.build();
    }

    private static ChatModel gemini(ModelSettings s) {
        GoogleAiGeminiChatModel.GoogleAiGeminiChatModelBuilder builder = GoogleAiGeminiChatModel.builder()
                .httpClientBuilder(ProviderHttpClient.builder())
                .apiKey(s.apiKey())
                .modelName(s.name())
                .maxOutputTokens(s.maxTokens())
                .timeout(s.timeout())
                .maxRetries(0);
        if (s.baseUrl() != null) {
            // LangChain4j appends /models/<name>:generateContent itself.
            builder.baseUrl(s.baseUrl().endsWith("/") ? s.baseUrl().substring(0, s.baseUrl().length() - 1) : s.baseUrl());
        }
        return builder.build();
    }

    /** Sorts a LangChain4j failure into retryable or not, keeping the HTTP status and Retry-After. */
    private ModelException classify(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof HttpException http) {
                Duration retryAfter = t instanceof ProviderHttpException p ? p.retryAfter() : null;
                return byStatus(http.statusCode(), errorDetail(http.getMessage()), retryAfter, e);
            }
        }
        if (Thread.currentThread().isInterrupted() || has(e, InterruptedException.class)) {
            return new ModelException(Kind.INTERRUPTED, false, null, null, "interrupted while waiting for the model", e);
        }
        if (has(e, JsonProcessingException.class)) {
            return new ModelException(Kind.BAD_ANSWER, false, null, null,
                    "the model's answer is not the JSON we expected: " + redact(rootMessage(e)), e);
        }
        if (has(e, HttpTimeoutException.class) || has(e, dev.langchain4j.exception.TimeoutException.class)) {
            return new ModelException(Kind.TIMEOUT, true, null, null,
                    "no answer within " + settings.timeout().toSeconds() + " s", e);
        }
        if (has(e, IOException.class) || has(e, UnresolvedModelServerException.class)
                || has(e, java.nio.channels.UnresolvedAddressException.class)) {
            return new ModelException(Kind.UNREACHABLE, true, null, null,
                    "cannot reach the model server: " + redact(rootMessage(e)), e);
        }
        return new ModelException(Kind.OTHER, false, null, null, redact(rootMessage(e)), e);
    }

    private ModelException byStatus(int status, String detail, Duration retryAfter, Throwable cause) {
        String message = "HTTP " + status + (detail.isEmpty() ? "" : ": " + detail);
        Kind kind;
        boolean retryable;
        if (status == 429) {
            kind = Kind.RATE_LIMITED;
            retryable = true;
        } else if (status == 408) {
            kind = Kind.TIMEOUT;
            retryable = true;
        } else if (status >= 500 && status <= 599) { // includes Anthropic's 529 "overloaded"
            kind = Kind.SERVER_ERROR;
            retryable = true;
        } else if (status == 401 || status == 403) {
            kind = Kind.AUTH;
            retryable = false;
        } else if (status >= 400 && status <= 499) {
            kind = Kind.BAD_REQUEST;
            retryable = false;
        } else {
            kind = Kind.OTHER;
            retryable = false;
        }
        return new ModelException(kind, retryable, status, retryAfter, message, cause);
    }

    /** The provider's own words from an error body ({"error": {"message": ...}} in all three APIs), short and without the key. */
    private String errorDetail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        String detail = body.strip();
        try {
            JsonNode node = JSON.readTree(body);
            JsonNode message = node.path("error").path("message");
            if (message.isTextual()) {
                detail = message.asText();
            } else if (node.path("message").isTextual()) {
                detail = node.path("message").asText();
            }
        } catch (JsonProcessingException | RuntimeException notJson) {
            // keep the raw text
        }
        detail = redact(detail.replaceAll("\\s+", " "));
        return detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) + "…" : detail;
    }

    /** Providers sometimes quote the key they were given; it must not reach chat, logs or the audit trail. */
    String redact(String text) {
        if (text == null) {
            return "";
        }
        String key = settings.apiKey();
        return key.length() >= 4 ? text.replace(key, "***") : text;
    }

    private static boolean has(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
        message = message.replaceAll("\\s+", " ");
        return message.length() > MAX_DETAIL ? message.substring(0, MAX_DETAIL) + "…" : message;
    }

    private static String withTrailingSlash(String url) {
        return url.endsWith("/") ? url : url + "/";
    }
}
