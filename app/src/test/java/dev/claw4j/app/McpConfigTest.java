package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.protocol.McpServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class McpConfigTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("API_TOKEN", "s3cret")::get);

    @Test
    void noMcpSectionMeansNoServers() {
        assertThat(loader.parse("botName: claw\n", "test").mcp().settings().forGroup("web:ana")).isEmpty();
    }

    @Test
    void aGroupsOwnListReplacesTheDefault() {
        Config config = loader.parse("""
                mcp:
                  default:
                    - name: notes
                      command: [notes-mcp, --stdio]
                      env: { NOTES_DIR: /workspace/group/notes }
                  groups:
                    "telegram:42":
                      - name: calc
                        command: [/workspace/group/calc.sh]
                    "web:quiet": []
                """, "test");
        var mcp = config.mcp().settings();

        assertThat(mcp.forGroup("web:ana")).containsExactly(new McpServer("notes", List.of("notes-mcp", "--stdio"),
                Map.of("NOTES_DIR", "/workspace/group/notes")));
        assertThat(mcp.forGroup("telegram:42")).extracting(McpServer::name).containsExactly("calc");
        assertThat(mcp.forGroup("web:quiet")).isEmpty();
    }

    @Test
    void aSecretReferenceIsRefusedNotCopiedIntoTheSandbox() {
        // the same ${...} is substituted elsewhere in the file: shown by the model section loading
        assertThat(loader.parse("model:\n  apiKey: ${API_TOKEN}\n", "test").model().apiKey()).isEqualTo("s3cret");

        assertThatThrownBy(() -> loader.parse("""
                mcp:
                  default:
                    - name: gh
                      command: [gh-mcp]
                      env: { GITHUB_TOKEN: "${API_TOKEN}" }
                """, "test"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("mcp.default[0].env.GITHUB_TOKEN")
                .hasMessageContaining("must hold no secrets");
    }

    @Test
    void badNamesAndMissingCommandsAreRefusedByKey() {
        assertThatThrownBy(() -> loader.parse("mcp:\n  default:\n    - name: 'a b'\n      command: [x]\n", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mcp.default[0].name");
        assertThatThrownBy(() -> loader.parse("mcp:\n  groups:\n    g:\n      - name: a\n", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("mcp.groups.g[0].command is missing");
    }
}
