package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.connector.Connector;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorsTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("TELEGRAM_BOT_TOKEN", "123456:ABCDEFGHIJKLMNOPQRSTUVWXYZ",
            "SLACK_BOT_TOKEN", "not-a-bot-token")::get);

    @Test
    void theShippedConfigWithoutTokensStartsOnlyTheWebChat() {
        Config config = new ConfigLoader(name -> null).load(java.nio.file.Path.of("../config/claw4j.yaml"));
        assertThat(Connectors.fromConfig(config)).extracting(Connector::platform).containsExactly("web");
    }

    @Test
    void aConnectorWithAGoodTokenIsCreatedAndOneWithABadOneIsSkipped() {
        Config config = loader.parse("""
                connectors:
                  web: { enabled: false }
                  telegram: { token: "${TELEGRAM_BOT_TOKEN}" }
                  slack: { botToken: "${SLACK_BOT_TOKEN}" }
                """, "test");
        assertThat(Connectors.fromConfig(config)).extracting(Connector::platform).containsExactly("telegram");
    }

    @Test
    void unknownConnectorKeysAreErrors() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> loader.parse("connectors:\n  telegram: { tokn: x }\n",
                "test")).hasMessageContaining("connectors.telegram.tokn");
    }
}
