package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(Map.of("DATA", "/srv/claw4j", "EMPTY", "")::get);

    @Test
    void theShippedConfigFileLoads() {
        Config config = new ConfigLoader().load(Path.of("../config/claw4j.yaml"));
        assertThat(config.sandbox().runtime()).isEqualTo("auto");
        assertThat(config.sandbox().limits().memoryBytes()).isEqualTo(512L << 20);
        assertThat(config.webFetch().policy().allows("any-group", "example.com")).as("nothing allowed").isFalse();
        assertThat(config.webFetch().policy().maxBytes()).isEqualTo(2L << 20);
    }

    @Test
    void theEvictionRuleDefaultsToAShortGraceAndRefusesAHoldShorterThanIt() {
        assertThat(loader.parse("sandbox: { runtime: runsc }\n", "test").sandbox().eviction())
                .isEqualTo(new dev.claw4j.core.queue.GroupQueue.Eviction(java.time.Duration.ofSeconds(2),
                        java.time.Duration.ofSeconds(30)));
        assertThat(loader.parse("sandbox: { evictionGrace: 0s }\n", "test").sandbox().eviction().grace()).isZero();
        assertThatThrownBy(() -> loader.parse("sandbox: { evictionGrace: 1m, maxHold: 10s }\n", "claw4j.yaml"))
                .hasMessageContaining("sandbox.maxHold (10s) is shorter than sandbox.evictionGrace (1m)");
    }

    @Test
    void webFetchReadsItsAllowlistPerGroupAndItsCaps() {
        Config config = loader.parse("""
                webFetch:
                  allow: [docs.python.org, "*.example.com"]
                  groups: { web-team-1: { allow: [api.github.com] } }
                  maxBytes: 512k
                  timeout: 5s
                """, "test");
        var policy = config.webFetch().policy();
        assertThat(policy.allows("g", "docs.python.org")).isTrue();
        assertThat(policy.allows("g", "www.example.com")).isTrue();
        assertThat(policy.allows("g", "example.com")).as("*.x is only hosts under x").isFalse();
        assertThat(policy.allows("g", "api.github.com")).isFalse();
        assertThat(policy.allows("web-team-1", "api.github.com")).isTrue();
        assertThat(policy.maxBytes()).isEqualTo(512L << 10);
        assertThat(policy.timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(policy.privateAddressesAllowed()).isEmpty();
    }

    @Test
    void webFetchRefusesBadEntriesByKey() {
        assertThatThrownBy(() -> loader.parse("webFetch:\n  allow: [\"http://x.com/\"]\n", "claw4j.yaml"))
                .hasMessageContaining("webFetch.allow: 'http://x.com/' is not a host");
        assertThatThrownBy(() -> loader.parse("webFetch:\n  allowPrivateAddresses: [localhost]\n", "claw4j.yaml"))
                .hasMessageContaining("webFetch.allowPrivateAddresses: 'localhost' is not an IP address");
        assertThatThrownBy(() -> loader.parse("webFetch:\n  timeout: soon\n", "claw4j.yaml"))
                .hasMessageContaining("webFetch.timeout");
    }

    @Test
    void readsValuesAndSubstitutesEnvironmentVariables() {
        Config config = loader.parse("""
                dataDir: ${DATA}/data
                sandbox:
                  runtime: runsc
                  requireSecondWall: true
                  memory: 1g
                  turnTimeout: 90s
                  pids: ${EMPTY:-300}
                """, "test");
        assertThat(config.dataDir()).isEqualTo(Path.of("/srv/claw4j/data"));
        assertThat(config.sandbox().requireSecondWall()).isTrue();
        assertThat(config.sandbox().limits().memoryBytes()).isEqualTo(1L << 30);
        assertThat(config.sandbox().limits().turnTimeout()).isEqualTo(Duration.ofSeconds(90));
        assertThat(config.sandbox().pids()).isEqualTo(300);
    }

    @Test
    void modelImagesIsOffUnlessSaidAndNamedModelsSayItForThemselves() {
        Config config = loader.parse("""
                model:
                  provider: openai
                  name: gpt-4o
                  apiKey: sk-test-1234
                  images: true
                  named:
                    text: { name: text-only }
                    eyes: { provider: gemini, name: gemini-2.5-flash, apiKey: g-key-1234, images: true }
                """, "test");
        assertThat(config.model().settings().images()).isTrue();
        assertThat(config.model().namedSettings().get("text").images()).as("not inherited").isFalse();
        assertThat(config.model().namedSettings().get("eyes").images()).isTrue();
        assertThat(loader.parse("model: { provider: openai, name: x, apiKey: k }", "test").model().settings().images())
                .isFalse();
    }

    @Test
    void anEmptyFileMeansDefaults() {
        assertThat(loader.parse("", "test")).isEqualTo(Config.defaults());
    }

    @Test
    void groupChatsNeedApprovalUnlessTheConfigSaysOtherwise() {
        assertThat(loader.parse("access:\n  dm: open\n", "test").access().policy().groups())
                .isEqualTo(dev.claw4j.core.access.AccessPolicy.GroupPolicy.APPROVAL);
        assertThat(Config.defaults().access().policy().groups())
                .isEqualTo(dev.claw4j.core.access.AccessPolicy.GroupPolicy.APPROVAL);
        assertThat(loader.parse("access: {groups: allowlist, allowedChats: [telegram:-100123]}", "test").access()
                .policy().allowedChats()).containsExactly("telegram:-100123");
        assertThatThrownBy(() -> loader.parse("access: {groups: anyone}", "test")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("access.groups").hasMessageContaining("approval, allowlist, open");
        assertThatThrownBy(() -> loader.parse("access: {groups: open, allowedChats: [slack:C1]}", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("groups: allowlist");
        // Java callers from before the key (the e2e hosts, the bench) keep their behaviour
        assertThat(new Config.Access("open", null, null, null).groups()).isEqualTo("open");
        assertThat(new Config.Access("open", java.util.List.of("web:team"), null, null).groups()).isEqualTo("allowlist");
    }

    @Test
    void theConsoleIsOnLoopbackPort8081UnlessTheConfigSaysOtherwise() {
        assertThat(Config.defaults().admin()).isEqualTo(new Config.Admin(true, "127.0.0.1", 8081));
        assertThat(new ConfigLoader().load(Path.of("../config/claw4j.yaml")).admin())
                .isEqualTo(new Config.Admin(true, "127.0.0.1", 8081));
        assertThat(loader.parse("admin: {uiPort: 9090, console: false}", "test").admin())
                .isEqualTo(new Config.Admin(false, "127.0.0.1", 9090));
        assertThatThrownBy(() -> loader.parse("admin: {uiPort: 70000}", "test")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.uiPort");
        assertThatThrownBy(() -> loader.parse("admin: {port: 9090}", "test")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("admin.port");
    }

    @Test
    void unknownKeysAreErrorsThatNameTheKey() {
        assertThatThrownBy(() -> loader.parse("sandbox:\n  memroy: 1g\n", "claw4j.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown key 'sandbox.memroy'")
                .hasMessageContaining("memory");
    }

    @Test
    void badValuesAreErrorsThatNameTheKey() {
        assertThatThrownBy(() -> loader.parse("sandbox:\n  memory: lots\n", "test"))
                .hasMessageContaining("sandbox.memory").hasMessageContaining("512m");
        assertThatThrownBy(() -> loader.parse("sandbox:\n  pids: 10\n", "test"))
                .hasMessageContaining("sandbox.pids");
        assertThatThrownBy(() -> loader.parse("connectors:\n  web:\n    allowedHosts: [\"https://chat.lan/\"]\n", "test"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("connectors.web.allowedHosts");
        assertThat(loader.parse("connectors:\n  web:\n    allowedHosts: [chat.lan]\n", "test").connectors().web()
                .allowedHosts()).containsExactly("chat.lan");
        assertThatThrownBy(() -> loader.parse("sandbox:\n  cpus: many\n", "test"))
                .hasMessageContaining("sandbox.cpus");
        assertThatThrownBy(() -> loader.parse("sandbox:\n  turnTimeout: soon\n", "test"))
                .hasMessageContaining("sandbox.turnTimeout");
        assertThatThrownBy(() -> loader.parse("- a\n- b\n", "test")).hasMessageContaining("top level");
    }
}
