package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.protocol.McpServer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The MCP client against a real stdio server: the test resource mcp/whoami-net.sh, a bash script. */
class McpClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    Path script;

    @BeforeEach
    void copyServer() throws IOException {
        script = dir.resolve("whoami-net.sh");
        try (InputStream in = getClass().getResourceAsStream("/mcp/whoami-net.sh")) {
            Files.copy(in, script);
        }
        script.toFile().setExecutable(true);
    }

    private McpServer server(String mode) {
        return new McpServer("fake", List.of(script.toString()), Map.of("FAKE_MCP_MODE", mode));
    }

    @Test
    void handshakeListsTheToolsWithTheirSchemas() throws Exception {
        try (McpClient client = McpClient.start(server("normal"), dir, TIMEOUT, "test")) {
            List<McpClient.McpToolInfo> tools = client.listTools(TIMEOUT);

            assertThat(tools).extracting(McpClient.McpToolInfo::name).containsExactly("whoami_net");
            assertThat(tools.getFirst().inputSchema().path("type").asText()).isEqualTo("object");
            assertThat(tools.getFirst().description()).contains("network");
        }
    }

    @Test
    void callReturnsTheServersText() throws Exception {
        try (McpClient client = McpClient.start(server("normal"), dir, TIMEOUT, "test")) {
            McpClient.CallResult result = client.callTool("whoami_net", null, TIMEOUT);

            assertThat(result.isError()).isFalse();
            assertThat(result.text()).startsWith("MCP-MARKER-5e1f network=");
        }
    }

    @Test
    void aServerThatDoesNotAnswerTimesOut() throws Exception {
        try (McpClient client = McpClient.start(server("hang-on-call"), dir, TIMEOUT, "test")) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> client.callTool("whoami_net", null, Duration.ofMillis(500)))
                    .isInstanceOf(McpClient.McpException.class)
                    .hasMessageContaining("did not answer tools/call within");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aServerThatDiesFailsTheCallAtOnceWithItsExitCode() throws Exception {
        try (McpClient client = McpClient.start(server("die-on-call"), dir, TIMEOUT, "test")) {
            long started = System.nanoTime();
            assertThatThrownBy(() -> client.callTool("whoami_net", null, Duration.ofSeconds(30)))
                    .isInstanceOf(McpClient.McpException.class)
                    .hasMessageContaining("exited with code 3");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
            // and every later call fails the same way instead of waiting
            assertThatThrownBy(() -> client.callTool("whoami_net", null, Duration.ofSeconds(30)))
                    .isInstanceOf(McpClient.McpException.class);
        }
    }

    @Test
    void aMissingCommandSaysWhatToFix() {
        McpServer missing = new McpServer("nope", List.of(dir.resolve("no-such-server").toString()), Map.of());

        assertThatThrownBy(() -> McpClient.start(missing, dir, TIMEOUT, "test"))
                .isInstanceOf(McpClient.McpException.class)
                .hasMessageContaining("\"nope\" did not start")
                .hasMessageContaining("agent image or the group folder");
    }

    @Test
    void aServerThatIsNotMcpFailsTheHandshakeInTime() {
        // sleep reads nothing and answers nothing: the handshake must give up, not hang
        McpServer notMcp = new McpServer("sleeper", List.of("sleep", "60"), Map.of());

        assertThatThrownBy(() -> McpClient.start(notMcp, dir, Duration.ofMillis(500), "test"))
                .isInstanceOf(McpClient.McpException.class)
                .hasMessageContaining("did not answer initialize");
    }

    @Test
    void theServerGetsACleanEnvironment() throws Exception {
        // nothing of the runner's environment reaches the server but PATH, HOME, LANG and its own settings
        McpServer server = new McpServer("env", List.of(script.toString()), Map.of("FAKE_MCP_MODE", "env-on-call"));
        try (McpClient client = McpClient.start(server, dir, TIMEOUT, "test")) {
            String names = client.callTool("whoami_net", null, TIMEOUT).text();

            assertThat(names).contains("FAKE_MCP_MODE");
            assertThat(System.getenv()).isNotEmpty();
            assertThat(names.split(" ")).allMatch(n -> n.isBlank() || List.of("PATH", "HOME", "LANG", "ONLY_THIS",
                    Leftovers.MARK, "PWD", "SHLVL", "_", "FAKE_MCP_MODE").contains(n));
        }
    }

    @Test
    void serversAreOfferedAsPrefixedToolsAndABrokenOneIsReported() {
        List<McpServer> servers = List.of(server("normal"),
                new McpServer("broken", List.of(dir.resolve("missing").toString()), Map.of()),
                new McpServer("bad name!", List.of("true"), Map.of()));
        try (McpServers mcp = McpServers.start(servers, dir, TIMEOUT, TIMEOUT, "test")) {
            assertThat(mcp.tools()).extracting(Tool::name).containsExactly("mcp__fake__whoami_net");
            assertThat(mcp.problems()).hasSize(2);
            assertThat(mcp.problems().get(0)).contains("\"bad name!\" is not allowed");
            assertThat(mcp.problems().get(1)).contains("\"broken\" did not start");
        }
    }
}
