package dev.claw4j.discord.fake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/** The JSON shapes of Discord's API v10, as far as JDA reads them. */
final class Payloads {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String TIMESTAMP = "2026-01-01T12:00:00.000000+00:00";
    // View Channels, Send Messages, Send Messages in Threads, Read Message History, Attach Files, Add Reactions,
    // Embed Links: what the README's invite URL asks for
    static final long BOT_PERMISSIONS = (1L << 10) | (1L << 11) | (1L << 38) | (1L << 16) | (1L << 15) | (1L << 6)
            | (1L << 14);

    private Payloads() {}

    static ObjectNode user(String id, String name, boolean bot) {
        ObjectNode u = JSON.createObjectNode();
        u.put("id", id).put("username", name).put("discriminator", "0").put("global_name", name).putNull("avatar");
        u.put("bot", bot).put("public_flags", 0);
        return u;
    }

    static ObjectNode member(ObjectNode user) {
        ObjectNode m = JSON.createObjectNode();
        if (user != null) {
            m.set("user", user);
        }
        m.putArray("roles");
        m.put("joined_at", TIMESTAMP).put("deaf", false).put("mute", false).putNull("nick").put("flags", 0);
        return m;
    }

    static ObjectNode textChannel(String id, String guildId, String name, int position) {
        ObjectNode c = JSON.createObjectNode();
        c.put("id", id).put("type", 0).put("guild_id", guildId).put("name", name).put("position", position);
        c.putArray("permission_overwrites");
        c.put("nsfw", false).putNull("topic").putNull("parent_id").put("rate_limit_per_user", 0);
        return c;
    }

    static ObjectNode thread(String id, String guildId, String parentId, String ownerId, String name) {
        ObjectNode t = JSON.createObjectNode();
        t.put("id", id).put("type", 11).put("guild_id", guildId).put("parent_id", parentId).put("owner_id", ownerId);
        t.put("name", name).put("message_count", 0).put("member_count", 1).put("rate_limit_per_user", 0).put("flags", 0);
        ObjectNode meta = t.putObject("thread_metadata");
        meta.put("archived", false).put("auto_archive_duration", 1440).put("archive_timestamp", TIMESTAMP)
                .put("locked", false).put("create_timestamp", TIMESTAMP);
        return t;
    }

    static ObjectNode guild(String id, String name, String ownerId, ObjectNode botUser, List<ObjectNode> channels,
                            List<ObjectNode> threads) {
        ObjectNode g = JSON.createObjectNode();
        g.put("id", id).put("name", name).putNull("icon").put("owner_id", ownerId).put("afk_timeout", 300)
                .put("verification_level", 0).put("default_message_notifications", 0).put("explicit_content_filter", 0)
                .put("mfa_level", 0).put("premium_tier", 0).put("premium_subscription_count", 0).put("nsfw_level", 0)
                .put("preferred_locale", "en-US").put("system_channel_flags", 0).put("member_count", 2)
                .put("large", false).put("unavailable", false).put("joined_at", TIMESTAMP).put("max_members", 500000);
        g.putArray("features");
        ObjectNode everyone = g.putArray("roles").addObject();
        everyone.put("id", id).put("name", "@everyone").put("permissions", Long.toString(BOT_PERMISSIONS))
                .put("position", 0).put("color", 0).put("hoist", false).put("managed", false).put("mentionable", false)
                .put("flags", 0);
        everyone.putObject("colors").put("primary_color", 0).putNull("secondary_color").putNull("tertiary_color");
        g.putArray("members").add(member(botUser));
        channels.forEach(g.withArray("channels")::add);
        threads.forEach(g.withArray("threads")::add);
        g.putArray("emojis");
        g.putArray("stickers");
        g.putArray("voice_states");
        g.putArray("presences");
        g.putArray("stage_instances");
        g.putArray("guild_scheduled_events");
        g.putArray("soundboard_sounds");
        return g;
    }

    /** A message object; {@code guildId} null for DMs, {@code replied} the message it replies to or null. */
    static ObjectNode message(String id, String channelId, String guildId, ObjectNode author, String content,
                              List<ObjectNode> mentions, List<ObjectNode> attachments, ObjectNode replied) {
        ObjectNode m = JSON.createObjectNode();
        m.put("id", id).put("channel_id", channelId);
        if (guildId != null) {
            m.put("guild_id", guildId);
            m.set("member", member(null));
        }
        m.set("author", author);
        m.put("content", content).put("timestamp", TIMESTAMP).putNull("edited_timestamp").put("tts", false)
                .put("mention_everyone", false).put("pinned", false).put("flags", 0);
        m.put("type", replied == null ? 0 : 19);
        ArrayNode ms = m.putArray("mentions");
        for (ObjectNode u : mentions) {
            ObjectNode mu = u.deepCopy();
            if (guildId != null) {
                mu.set("member", member(null));
            }
            ms.add(mu);
        }
        m.putArray("mention_roles");
        attachments.forEach(m.putArray("attachments")::add);
        m.putArray("embeds");
        m.putArray("components");
        if (replied != null) {
            ObjectNode ref = m.putObject("message_reference");
            ref.put("type", 0).put("message_id", replied.path("id").asText()).put("channel_id", channelId);
            if (guildId != null) {
                ref.put("guild_id", guildId);
            }
            m.set("referenced_message", replied);
        }
        return m;
    }

    static ObjectNode attachment(String id, String fileName, String contentType, int size, String url) {
        ObjectNode a = JSON.createObjectNode();
        a.put("id", id).put("filename", fileName).put("content_type", contentType).put("size", size).put("url", url)
                .put("proxy_url", url).put("ephemeral", false);
        return a;
    }

    static ObjectNode error(String message, int code) {
        ObjectNode e = JSON.createObjectNode();
        e.put("message", message).put("code", code);
        return e;
    }
}
