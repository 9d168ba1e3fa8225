package dev.claw4j.core.llm;

import dev.langchain4j.http.client.HttpClient;
import dev.langchain4j.http.client.HttpClientBuilder;
import dev.langchain4j.http.client.HttpRequest;
import dev.langchain4j.http.client.SuccessfulHttpResponse;
import dev.langchain4j.http.client.sse.ServerSentEventListener;
import dev.langchain4j.http.client.sse.ServerSentEventParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The HTTP client under the LangChain4j chat models: the JDK client, like LangChain4j's default, but a
 * non-2xx answer becomes a {@link ProviderHttpException} that keeps the Retry-After header, which the
 * gateway honours. Only plain request/response calls: claw4j never streams.
 */
final class ProviderHttpClient implements HttpClient {
    private final java.net.http.HttpClient http;
    private final Duration readTimeout;

    private ProviderHttpClient(Duration connectTimeout, Duration readTimeout) {
        this.http = java.net.http.HttpClient.newBuilder().connectTimeout(connectTimeout).build();
        this.readTimeout = readTimeout;
    }

    static Builder builder() {
        return new Builder();
    }

    @Override
    public SuccessfulHttpResponse execute(HttpRequest request) {
        java.net.http.HttpRequest.Builder jdk = java.net.http.HttpRequest.newBuilder(URI.create(request.url()))
                .timeout(readTimeout)
                .method(request.method().name(), request.body() == null
                        ? java.net.http.HttpRequest.BodyPublishers.noBody()
                        : java.net.http.HttpRequest.BodyPublishers.ofString(request.body()));
        request.headers().forEach((name, values) -> values.forEach(value -> jdk.header(name, value)));
        HttpResponse<String> response;
        try {
            response = http.send(jdk.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the model", e);
        }
        if (response.statusCode() < 200 || response.statusCode() > 299) {
            throw new ProviderHttpException(response.statusCode(), response.body(), retryAfter(response.headers()));
        }
        return SuccessfulHttpResponse.builder()
                .statusCode(response.statusCode())
                .headers(response.headers().map())
                .body(response.body())
                .build();
    }

    @Override
    public void execute(HttpRequest request, ServerSentEventParser parser, ServerSentEventListener listener) {
        listener.onError(new UnsupportedOperationException("claw4j does not stream model answers"));
    }

    /** Retry-After as seconds or an HTTP date; OpenAI also sends retry-after-ms. Null when absent or unreadable. */
    static Duration retryAfter(HttpHeaders headers) {
        Optional<String> millis = headers.firstValue("retry-after-ms");
        if (millis.isPresent()) {
            try {
                return Duration.ofMillis(Math.max(0, (long) Double.parseDouble(millis.get().trim())));
            } catch (NumberFormatException ignored) {
                // fall through to Retry-After
            }
        }
        String value = headers.firstValue("retry-after").map(String::trim).orElse(null);
        if (value == null || value.isEmpty()) {
            return null;
        }
        try {
            return Duration.ofMillis(Math.max(0, (long) (Double.parseDouble(value) * 1000)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notDate) {
                return null;
            }
        }
    }

    static final class Builder implements HttpClientBuilder {
        private Duration connectTimeout;
        private Duration readTimeout;

        @Override
        public Duration connectTimeout() {
            return connectTimeout;
        }

        @Override
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        @Override
        public Duration readTimeout() {
            return readTimeout;
        }

        @Override
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        @Override
        public ProviderHttpClient build() {
            return new ProviderHttpClient(
                    connectTimeout == null ? Duration.ofSeconds(15) : connectTimeout,
                    readTimeout == null ? ModelSettings.DEFAULT_TIMEOUT : readTimeout);
        }
    }
}
