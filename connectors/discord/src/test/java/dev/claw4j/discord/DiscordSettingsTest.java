package dev.claw4j.discord;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DiscordSettingsTest {
    @Test
    void defaultsAreDiscordsOwnEndpointsStickyThreadsAndOneShard() {
        DiscordSettings s = DiscordSettings.of(" tok.en ");
        assertThat(s.token()).isEqualTo("tok.en");
        assertThat(s.restUrl()).isEqualTo("https://discord.com/api/v10/");
        assertThat(s.gatewayUrl()).isNull();
        assertThat(s.stickyThreads()).isTrue();
        assertThat(s.shards()).isEqualTo(1);
    }

    @Test
    void aPastedBotPrefixIsDroppedAndTheRestUrlGetsItsSlash() {
        DiscordSettings s = new DiscordSettings("Bot abc", "http://127.0.0.1:9/api/v10", "ws://127.0.0.1:9/gw", false, 3);
        assertThat(s.token()).isEqualTo("abc");
        assertThat(s.restUrl()).isEqualTo("http://127.0.0.1:9/api/v10/");
        assertThat(s.gatewayUrl()).isEqualTo("ws://127.0.0.1:9/gw");
    }

    @Test
    void badValuesNameTheirKey() {
        assertThatThrownBy(() -> DiscordSettings.of(" ")).hasMessageContaining("connectors.discord.token");
        assertThatThrownBy(() -> new DiscordSettings("t", "ftp://x/", null, true, 1))
                .hasMessageContaining("connectors.discord.restUrl");
        assertThatThrownBy(() -> new DiscordSettings("t", null, "http://x/", true, 1))
                .hasMessageContaining("connectors.discord.gatewayUrl").hasMessageContaining("ws://");
        assertThatThrownBy(() -> new DiscordSettings("t", "not a url", null, true, 1))
                .hasMessageContaining("connectors.discord.restUrl");
        assertThatThrownBy(() -> new DiscordSettings("t", null, null, true, 0))
                .hasMessageContaining("connectors.discord.shards");
    }

    @Test
    void theTokenNeverShowsInToString() {
        assertThat(DiscordSettings.of("secret-token").toString()).doesNotContain("secret-token");
    }

    @Test
    void toStringShowsNoPartOfTheToken() {
        String token = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.Qw8eRt5yUi3oPaSdFgHjKlZxCv";
        String printed = DiscordSettings.of("Bot " + token).withEndpoints("http://127.0.0.1:9/api/v10/", null).toString();
        assertThat(printed).contains("restUrl=http://127.0.0.1:9/api/v10/");
        for (int i = 0; i + 4 <= token.length(); i++) {
            assertThat(printed).doesNotContain(token.substring(i, i + 4));
        }
    }

    @Test
    void hostShardsListTheShardIdsThisHostRuns() {
        DiscordSettings all = DiscordSettings.of("t").withShards(8);
        assertThat(all.shardIds()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
        assertThat(all.runsSomeShards()).isFalse();
        DiscordSettings part = all.withHostShards(" 4-6, 0 ");
        assertThat(part.shardIds()).containsExactly(0, 4, 5, 6);
        assertThat(part.runsSomeShards()).isTrue();
        for (String bad : List.of("8", "3-1", "-1", "a", "0,0-2")) {
            assertThatThrownBy(() -> all.withHostShards(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("connectors.discord.hostShards");
        }
    }
}
