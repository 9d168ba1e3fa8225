package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's stdio MCP server runs inside its sandbox: the scripted model calls its tool, the result comes back
 * into the answer, and the server itself finds no network. A server that cannot start is named in the reply
 * and audited, and the turn goes on.
 */
class McpIT {
    /** The test server: a bash script from the agent module's test resources (bash, sed and coreutils only). */
    private static final Path SERVER = Path.of("../agent/src/test/resources/mcp/whoami-net.sh");

    @TempDir
    Path data;

    @Test
    void theModelCallsAnMcpToolThatRunsInTheSandboxWithoutNetwork() throws Exception {
        String group = groupIdOf("web", "dm-mo");
        Path folder = Files.createDirectories(data.resolve("groups").resolve(group));
        Path script = folder.resolve("whoami-net.sh");
        Files.copy(SERVER, script);
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        Config.Mcp mcp = new Config.Mcp(List.of(), Map.of(group, List.of(
                new Config.McpServerEntry("probe", List.of("/workspace/group/whoami-net.sh"), Map.of()),
                new Config.McpServerEntry("ghost", List.of("/usr/local/bin/no-such-mcp-server"), Map.of()))));

        try (RunningHost host = new RunningHost(data, config -> config.withMcp(mcp), List.of())) {
            host.chat.post("dm-mo", "mo", "tool: mcp__probe__whoami_net {}");
            String reply = host.chat.awaitReplies("dm-mo", 1, Duration.ofSeconds(120)).getFirst().get("text").asText();

            // the model was offered the server's tool, called it, and got the server's answer back
            List<JsonNode> requests = host.model.requests();
            assertThat(requests.getFirst().path("tools").toString()).contains("mcp__probe__whoami_net")
                    .doesNotContain("mcp__ghost__");
            assertThat(requests).anySatisfy(r -> assertThat(r.path("messages").toString())
                    .contains("MCP-MARKER-5e1f"));
            assertThat(reply).contains("MCP-MARKER-5e1f");
            // checked from inside the server: no route out (the connect failed), only the loopback interface
            assertThat(reply).contains("network=unreachable").doesNotContain("network=reachable")
                    .doesNotContain("eth0");
            // the broken server did not block the turn: it is named in the reply and audited
            assertThat(reply).contains("MCP server \"ghost\" did not start");
            assertThat(host.claw4j.store().audit().auditTrail(group)).anyMatch(e -> e.kind().equals("mcp.failed")
                    && e.detail().contains("ghost"));
            assertThat(host.claw4j.store().audit().auditTrail(group)).anyMatch(e -> e.kind().equals("tool.finished")
                    && e.detail().contains("mcp__probe__whoami_net") && e.detail().contains(" ok"));
        }
    }

    /** The id the router gives a per-chat group (its slug plus a hash of the binding key); as in MountsIT. */
    private static String groupIdOf(String platform, String chat) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest((platform + ":chat:" + chat).getBytes(StandardCharsets.UTF_8));
        return (platform + "-" + chat).replaceAll("[^a-z0-9]+", "-") + "-" + HexFormat.of().formatHex(hash, 0, 3);
    }
}
