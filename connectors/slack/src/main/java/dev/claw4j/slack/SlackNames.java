package dev.claw4j.slack;

import com.slack.api.methods.MethodsClient;
import com.slack.api.model.User;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * People and channels by name instead of ID, so the agent reads "@Ana in #ops" rather than "<@U07…> in
 * <#C05…>". Lookups (users.info, conversations.info) are cached for the connector's life; a failed lookup
 * falls back to the ID and is not cached, so it is tried again next time.
 */
final class SlackNames {
    private static final Logger log = LoggerFactory.getLogger(SlackNames.class);
    // <@U123>, <@U123|name>, <#C123>, <#C123|name>, <!here>, <!subteam^S1|@team>, <http://x|text>, <http://x>
    private static final Pattern SPECIAL = Pattern.compile("<([@#!])([^>|]+)(?:\\|([^>]*))?>|<([a-z]+:[^>|]+)(?:\\|([^>]*))?>");

    private final MethodsClient client;
    private final Bounded<String, String> users = new Bounded<>(5_000);
    private final Bounded<String, String> channels = new Bounded<>(2_000);

    SlackNames(MethodsClient client) {
        this.client = client;
    }

    String user(String userId) {
        String name = users.computeIfAbsent(userId, this::lookUpUser);
        return name == null ? userId : name;
    }

    String channel(String channelId) {
        String name = channels.computeIfAbsent(channelId, this::lookUpChannel);
        return name == null ? channelId : name;
    }

    /**
     * Slack's message markup to plain text: mentions of the bot removed, other people and channels by name,
     * links as "text (url)", and the &amp; &lt; &gt; escapes undone.
     */
    String plainText(String text, String botUserId) {
        if (text == null) {
            return "";
        }
        Matcher m = SPECIAL.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(replacement(m, botUserId)));
        }
        m.appendTail(out);
        return out.toString().replaceAll("[ \\t]{2,}", " ").strip()
                .replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    private String replacement(Matcher m, String botUserId) {
        if (m.group(4) != null) {
            String url = m.group(4).startsWith("mailto:") ? m.group(4).substring(7) : m.group(4);
            String label = m.group(5);
            return label == null || label.isBlank() || label.equals(url) ? url : label + " (" + url + ")";
        }
        String id = m.group(2);
        String label = m.group(3);
        return switch (m.group(1)) {
            case "@" -> id.equals(botUserId) ? "" : "@" + (label != null && !label.isBlank() ? label : user(id));
            case "#" -> "#" + (label != null && !label.isBlank() ? label : channel(id));
            default -> label != null && !label.isBlank() ? label : "@" + id.replaceFirst("\\^.*", "");
        };
    }

    private String lookUpUser(String userId) {
        try {
            var response = client.usersInfo(r -> r.user(userId));
            if (!response.isOk() || response.getUser() == null) {
                log.warn("slack: users.info for {} failed ({}); showing the ID (is the users:read scope granted?)",
                        userId, response.getError());
                return null;
            }
            User u = response.getUser();
            if (u.getProfile() != null && notBlank(u.getProfile().getDisplayName())) {
                return u.getProfile().getDisplayName();
            }
            if (u.getProfile() != null && notBlank(u.getProfile().getRealName())) {
                return u.getProfile().getRealName();
            }
            return notBlank(u.getRealName()) ? u.getRealName() : u.getName();
        } catch (Exception e) {
            log.warn("slack: users.info for {} failed ({}); showing the ID", userId, e.toString());
            return null;
        }
    }

    private String lookUpChannel(String channelId) {
        try {
            var response = client.conversationsInfo(r -> r.channel(channelId));
            if (!response.isOk() || response.getChannel() == null || response.getChannel().getName() == null) {
                log.warn("slack: conversations.info for {} failed ({}); showing the ID", channelId,
                        response.getError());
                return null;
            }
            return response.getChannel().getName();
        } catch (Exception e) {
            log.warn("slack: conversations.info for {} failed ({}); showing the ID", channelId, e.toString());
            return null;
        }
    }

    private static boolean notBlank(String s) {
        return s != null && !s.isBlank();
    }
}
