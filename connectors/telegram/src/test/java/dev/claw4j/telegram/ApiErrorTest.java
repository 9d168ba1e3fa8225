package dev.claw4j.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParseException;
import java.net.ConnectException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.telegram.telegrambots.meta.exceptions.TelegramApiException;
import org.telegram.telegrambots.meta.exceptions.TelegramApiRequestException;

/** How the library's exceptions read: the cause is never dropped, and error code 0 is no code. */
class ApiErrorTest {
    private static final String TOKEN = FakeBotApi.TOKEN;

    @Test
    void errorCodeZeroFromTheLibraryIsNoCodeAndTheCauseIsKept() {
        // what telegrambots throws when a 200 answer cannot be parsed: error code 0, no description
        var unreadable = new TelegramApiRequestException("Unable to deserialize response",
                new JsonParseException(null, "Unexpected character ('<' (code 60))"));
        assertThat(unreadable.getErrorCode()).isZero(); // the library's default, which the old code took for a code

        ApiError e = ApiError.of("getMe", new ExecutionException(unreadable), TOKEN, 200);
        assertThat(e.code()).isZero();
        assertThat(e.httpStatus()).isEqualTo(200);
        assertThat(e.accepted()).isTrue();
        assertThat(e.getMessage()).isEqualTo("getMe: HTTP 200, but the answer could not be read (Unable to "
                + "deserialize response: Unexpected character ('<' (code 60)))");
    }

    @Test
    void aNetworkFailureSaysWhatTheNetworkSaidWithoutTheToken() {
        var failure = new TelegramApiException("Unable to execute sendmessage method",
                new ConnectException("Failed to connect to /127.0.0.1:1 for http://127.0.0.1:1/bot" + TOKEN + "/x"));
        ApiError e = ApiError.of("sendMessage", failure, TOKEN, 0);
        assertThat(e.getMessage()).startsWith("sendMessage: no answer from the Bot API (Unable to execute sendmessage "
                + "method: Failed to connect").contains("/bot<token>/").doesNotContain(TOKEN);
        assertThat(e.accepted()).isFalse();
        assertThat(e.isTransient()).isTrue();
        assertThat(e.getCause()).isNull(); // the exceptions carry the URL with the token: not kept
    }

    @Test
    void aProxysErrorPageIsItsHttpStatus() {
        var page = new TelegramApiRequestException("Unable to deserialize response",
                new JsonParseException(null, "Unexpected character ('<' (code 60))"));
        ApiError e = ApiError.of("sendMessage", page, TOKEN, 503);
        assertThat(e.getMessage()).contains("HTTP 503 without a Bot API answer").contains("Unable to deserialize");
        assertThat(e.isTransient()).isTrue();
        assertThat(e.accepted()).isFalse();
    }
}
