package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.protocol.HostMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebFetchToolTest {
    @TempDir
    Path root;
    final List<Map<String, String>> calls = new ArrayList<>();

    private ToolTesting tools(HostMessage.HostResult answer) {
        ToolTesting t = new ToolTesting(root);
        t.host = (method, args) -> {
            assertThat(method).isEqualTo("web_fetch");
            calls.add(args);
            return answer;
        };
        return t;
    }

    @Test
    void theHostFetchesAndThePageGoesBackToTheModel() throws Exception {
        ToolResult r = tools(HostMessage.HostResult.ok("1", "HTTP 200 from https://a.test/\n\nhello"))
                .call(new WebFetchTool(), Map.of("url", "https://a.test/", "method", "post", "body", "{}"));
        assertThat(r).isEqualTo(ToolResult.ok("HTTP 200 from https://a.test/\n\nhello"));
        assertThat(calls).containsExactly(Map.of("url", "https://a.test/", "method", "POST", "body", "{}"));
    }

    @Test
    void aRefusalIsAFailedResultWithTheHostsReason() throws Exception {
        ToolResult r = tools(HostMessage.HostResult.failed("1", "web_fetch refused: not on the allowlist"))
                .call(new WebFetchTool(), Map.of("url", "https://b.test/"));
        assertThat(r).isEqualTo(ToolResult.failed("web_fetch refused: not on the allowlist"));
    }

    @Test
    void saveToWritesTheTextIntoTheGroupFolder() throws Exception {
        ToolTesting t = tools(HostMessage.HostResult.ok("1", "HTTP 200 from https://a.test/\n\nlong text"));
        ToolResult r = t.call(new WebFetchTool(), Map.of("url", "https://a.test/", "save_to", "pages/a.txt"));
        assertThat(r.output()).startsWith("HTTP 200 from https://a.test/\nsaved ").contains("pages/a.txt");
        assertThat(Files.readString(t.group().resolve("pages/a.txt"))).endsWith("long text");
    }

    @Test
    void onlyGetAndPost() {
        assertThatThrownBy(() -> tools(HostMessage.HostResult.ok("1", "")).call(new WebFetchTool(),
                Map.of("url", "https://a.test/", "method", "DELETE"))).hasMessageContaining("GET or POST");
        assertThat(calls).isEmpty();
    }
}
