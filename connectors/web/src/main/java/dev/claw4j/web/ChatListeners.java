package dev.claw4j.web;

import io.javalin.http.sse.SseClient;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The open event streams (browser tabs) of each chat. Sending to nobody is fine: replies are in the history. */
final class ChatListeners {
    private static final Logger log = LoggerFactory.getLogger(ChatListeners.class);

    private final Map<String, Set<SseClient>> byChat = new ConcurrentHashMap<>();

    void add(String chat, SseClient client) {
        byChat.computeIfAbsent(chat, c -> ConcurrentHashMap.newKeySet()).add(client);
        // SseClient calls this when a send finds the connection gone, and when we close it ourselves.
        client.onClose(() -> remove(chat, client));
    }

    private void remove(String chat, SseClient client) {
        byChat.computeIfPresent(chat, (c, clients) -> {
            clients.remove(client);
            return clients.isEmpty() ? null : clients;
        });
    }

    int count(String chat) {
        Set<SseClient> clients = byChat.get(chat);
        return clients == null ? 0 : clients.size();
    }

    void send(String chat, String event, String json) {
        Set<SseClient> clients = byChat.get(chat);
        if (clients != null) {
            clients.forEach(client -> send(client, event, json));
        }
    }

    static void send(SseClient client, String event, String json) {
        // Replies and working events come from different threads; one event must not interleave with another.
        synchronized (client) {
            if (client.terminated()) {
                return; // closed meanwhile; its onClose already took it out of the map
            }
            try {
                client.sendEvent(event, json);
            } catch (RuntimeException e) {
                log.debug("web chat: dropping an event stream that failed: {}", e.toString());
                client.close();
            }
        }
    }

    /** A comment line every few seconds: keeps idle connections open and finds tabs that went away. */
    void ping() {
        byChat.values().forEach(clients -> clients.forEach(client -> {
            synchronized (client) {
                try {
                    if (!client.terminated()) {
                        client.sendComment("ping");
                    }
                } catch (RuntimeException e) { // one broken stream must not stop the pings of all others
                    client.close();
                }
            }
        }));
    }

    void closeAll() {
        byChat.values().forEach(clients -> clients.forEach(SseClient::close));
        byChat.clear();
    }
}
