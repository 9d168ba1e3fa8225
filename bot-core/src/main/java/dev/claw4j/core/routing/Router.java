package dev.claw4j.core.routing;

import dev.claw4j.core.folder.GroupFolders;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Finds the agent group that answers a message, creating it on first contact by the binding policy
 * (the configured default, or the chat's own override).
 */
public final class Router {
    private final Store store;
    private final BindingPolicy defaultPolicy;
    private final GroupFolders folders;
    private final Cache<String, String> bindings = Caffeine.newBuilder().maximumSize(50_000).build();
    private final Cache<String, BindingPolicy> chatPolicies = Caffeine.newBuilder().maximumSize(50_000).build();

    public Router(Store store, BindingPolicy defaultPolicy, GroupFolders folders) {
        this.store = store;
        this.defaultPolicy = defaultPolicy;
        this.folders = folders;
    }

    public String groupFor(InboundMessage m) {
        BindingPolicy policy = chatPolicies.get(m.platform() + ":" + m.chatId(), k -> store.chats().chatBinding(m.platform(),
                m.chatId()).map(p -> BindingPolicy.parse("binding of " + m.chatId(), p)).orElse(defaultPolicy));
        String key = bindingKey(policy, m);
        return bindings.get(key, k -> store.groups().groupForBinding(k).orElseGet(() -> create(k, policy, m)));
    }

    /** Overrides the binding policy of one chat (its next new group follows it). */
    public void setChatBinding(String platform, String chatId, BindingPolicy policy) {
        store.chats().setChatBinding(platform, chatId, policy.configName());
        chatPolicies.invalidate(platform + ":" + chatId);
    }

    private String create(String key, BindingPolicy policy, InboundMessage m) {
        String groupId = store.groups().bindNewGroup(key, groupId(key, policy, m));
        folders.create(groupId);
        return groupId;
    }

    static String bindingKey(BindingPolicy policy, InboundMessage m) {
        return switch (policy) {
            case PER_CHAT -> m.platform() + ":chat:" + m.chatId();
            case PER_USER -> m.platform() + ":user:" + m.senderId();
            case PER_THREAD -> m.threadId() == null ? m.platform() + ":chat:" + m.chatId()
                    : m.platform() + ":thread:" + m.chatId() + "/" + m.threadId();
        };
    }

    /** Readable and safe for paths and container names: {@code web-general-3f2a1c}. */
    static String groupId(String key, BindingPolicy policy, InboundMessage m) {
        String base = m.platform() + "-" + (policy == BindingPolicy.PER_USER ? m.senderId() : m.chatId());
        String slug = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-+|-+$)", "");
        if (slug.length() > 40) {
            slug = slug.substring(0, 40).replaceAll("-+$", "");
        }
        return slug + "-" + shortHash(key);
    }

    private static String shortHash(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 3);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
