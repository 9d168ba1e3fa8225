package dev.claw4j.app;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.discord.DiscordConnector;
import dev.claw4j.discord.DiscordSettings;
import dev.claw4j.slack.SlackConnector;
import dev.claw4j.slack.SlackSettings;
import dev.claw4j.telegram.TelegramConnector;
import dev.claw4j.telegram.TelegramSettings;
import dev.claw4j.web.WebConnector;
import dev.claw4j.web.WebSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connectors the config asks for. One without its token is skipped, and start-up says so; one whose
 * settings are wrong is skipped with the message naming the key, and the rest of claw4j runs on.
 */
final class Connectors {
    private static final Logger log = LoggerFactory.getLogger(Connectors.class);

    private Connectors() {}

    static List<Connector> fromConfig(Config config) {
        List<Connector> list = new ArrayList<>();
        Config.Web web = config.connectors().web();
        if (web.enabled()) {
            list.add(new WebConnector(new WebSettings(web.bind(), web.port(), config.botName(), web.allowedHosts(),
                    config.dataDir())));
        } else {
            log.info("web chat: disabled (connectors.web.enabled: false)");
        }
        Config.Telegram t = config.connectors().telegram();
        add(list, "telegram", t.token(), "connectors.telegram.token (TELEGRAM_BOT_TOKEN)", () -> new TelegramConnector(
                new TelegramSettings(t.token(), t.apiUrl(), TelegramSettings.Mode.parse(orElse(t.mode(), "polling")),
                        t.webhookUrl(), t.webhookSecret(), orElse(t.webhookBind(), TelegramSettings.DEFAULT_WEBHOOK_BIND),
                        t.webhookPort() == null ? TelegramSettings.DEFAULT_WEBHOOK_PORT : t.webhookPort(),
                        orElse(t.webhookPath(), TelegramSettings.DEFAULT_WEBHOOK_PATH),
                        config.dataDir().resolve("telegram"), null,
                        t.pollTimeout() == null ? TelegramSettings.DEFAULT_POLL_TIMEOUT
                                : Units.duration("connectors.telegram.pollTimeout", t.pollTimeout()))));
        Config.Slack s = config.connectors().slack();
        add(list, "slack", s.botToken(), "connectors.slack.botToken (SLACK_BOT_TOKEN)", () -> new SlackConnector(
                new SlackSettings(s.botToken(), s.appToken(), SlackSettings.Mode.parse(orElse(s.mode(), "socket")),
                        s.signingSecret(), s.port() == null ? SlackSettings.DEFAULT_PORT : s.port(), s.path(), s.apiUrl(),
                        s.stickyThreads() == null || s.stickyThreads())));
        Config.Discord d = config.connectors().discord();
        add(list, "discord", d.token(), "connectors.discord.token (DISCORD_BOT_TOKEN)", () -> new DiscordConnector(
                new DiscordSettings(d.token(), orElse(d.restUrl(), DiscordSettings.DEFAULT_REST_URL), blankToNull(d.gatewayUrl()),
                        d.stickyThreads() == null || d.stickyThreads(), d.shards() == null ? 1 : d.shards(),
                        d.hostShards())));
        return list;
    }

    private static void add(List<Connector> list, String name, String token, String key, Supplier<Connector> make) {
        if (token == null || token.isBlank()) {
            log.info("{}: not started (no {})", name, key);
            return;
        }
        try {
            list.add(make.get());
        } catch (IllegalArgumentException | ConfigException e) {
            log.error("{}: not started: {}", name, e.getMessage());
        }
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
