package dev.claw4j.core.llm;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;

/**
 * Which model the host talks to and how. {@code openai} covers every OpenAI-compatible server (OpenAI,
 * Ollama, vLLM, llama.cpp, LM Studio, OpenRouter) through {@code baseUrl}; {@code gemini} is Google's Gemini API
 * (generateContent). A null {@code baseUrl} means the provider's own. {@code images}: the model takes image
 * content, so pictures people send are shown to it (off by default: a text-only model refuses the request).
 * Error messages name the config key, because a person fixes them in {@code config/claw4j.yaml}.
 */
public record ModelSettings(Provider provider, String name, String apiKey, String baseUrl, int maxTokens,
                            Duration timeout, int maxRetries, boolean images) {

    public static final int DEFAULT_MAX_TOKENS = 4096;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    public static final int DEFAULT_MAX_RETRIES = 4;

    public enum Provider {
        ANTHROPIC("ANTHROPIC_API_KEY"),
        OPENAI("OPENAI_API_KEY"),
        GEMINI("GEMINI_API_KEY");

        private final String keyVariable;

        Provider(String keyVariable) {
            this.keyVariable = keyVariable;
        }

        /** The environment variable the sample config reads the key from. */
        public String keyVariable() {
            return keyVariable;
        }

        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Provider parse(String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("model.provider is empty; use anthropic, openai or gemini");
            }
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("model.provider '" + value + "' is not known; use anthropic, openai or gemini"
                        + " (openai also covers Ollama, vLLM, llama.cpp, LM Studio and OpenRouter via model.baseUrl)");
            }
        }
    }

    public ModelSettings {
        if (provider == null) {
            throw new IllegalArgumentException("model.provider is empty; use anthropic, openai or gemini");
        }
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("model.name is empty; set the model to use, e.g. claude-sonnet-4-5");
        }
        name = name.trim();
        apiKey = apiKey == null ? "" : apiKey.trim();
        baseUrl = baseUrl == null || baseUrl.isBlank() ? null : baseUrl.trim();
        if (baseUrl != null) {
            checkUrl(baseUrl);
        }
        // Local OpenAI-compatible servers usually want no key; the real providers always do.
        if (apiKey.isEmpty() && (provider != Provider.OPENAI || baseUrl == null)) {
            throw new IllegalArgumentException("model.apiKey is empty for provider " + provider.id() + "; set "
                    + provider.keyVariable() + " or model.apiKey");
        }
        if (maxTokens <= 0) {
            throw new IllegalArgumentException("model.maxTokens must be positive, not " + maxTokens);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("model.timeout must be positive, not " + timeout);
        }
        if (maxRetries < 0 || maxRetries > 10) {
            throw new IllegalArgumentException("model.maxRetries must be between 0 and 10, not " + maxRetries);
        }
    }

    /** Settings of a model that takes no images. */
    public ModelSettings(Provider provider, String name, String apiKey, String baseUrl, int maxTokens,
                         Duration timeout, int maxRetries) {
        this(provider, name, apiKey, baseUrl, maxTokens, timeout, maxRetries, false);
    }

    /** The same settings, with images on or off. */
    public ModelSettings withImages(boolean on) {
        return new ModelSettings(provider, name, apiKey, baseUrl, maxTokens, timeout, maxRetries, on);
    }

    /** Settings with the defaults for everything optional (null or absent values). */
    public static ModelSettings of(String provider, String name, String apiKey, String baseUrl, Integer maxTokens,
                                   Duration timeout, Integer maxRetries) {
        return new ModelSettings(Provider.parse(provider), name, apiKey, baseUrl,
                maxTokens == null ? DEFAULT_MAX_TOKENS : maxTokens,
                timeout == null ? DEFAULT_TIMEOUT : timeout,
                maxRetries == null ? DEFAULT_MAX_RETRIES : maxRetries);
    }

    public static ModelSettings of(String provider, String name, String apiKey, String baseUrl) {
        return of(provider, name, apiKey, baseUrl, null, null, null);
    }

    /** How audit records and logs name the model, e.g. {@code anthropic/claude-sonnet-4-5}. */
    public String label() {
        return provider.id() + "/" + name;
    }

    /** Never prints the key: settings end up in logs and exception messages. */
    @Override
    public String toString() {
        return "ModelSettings[provider=" + provider.id() + ", name=" + name
                + ", apiKey=" + (apiKey.isEmpty() ? "(none)" : "(set)")
                + ", baseUrl=" + (baseUrl == null ? "(default)" : baseUrl)
                + ", maxTokens=" + maxTokens + ", timeout=" + timeout + ", maxRetries=" + maxRetries
                + (images ? ", images=true" : "") + "]";
    }

    private static void checkUrl(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("model.baseUrl '" + url + "' is not a URL");
        }
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("model.baseUrl '" + url
                    + "' must be an http(s) URL, e.g. http://127.0.0.1:11434/v1");
        }
    }
}
