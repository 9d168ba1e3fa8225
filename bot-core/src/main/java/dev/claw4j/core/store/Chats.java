package dev.claw4j.core.store;

import dev.claw4j.core.model.ChatKind;
import java.time.Instant;
import java.util.Optional;

/** The chats the host has seen, and the binding policy an admin set on one. */
public final class Chats {
    private final Jdbc jdbc;

    Chats(Jdbc jdbc) {
        this.jdbc = jdbc;
    }

    public void ensureChat(String platform, String chatId, ChatKind kind) {
        try {
            jdbc.run("recording chat " + chatId, tx -> tx.update("INSERT INTO chats (platform, chat_id, kind, created_at) "
                    + "SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM chats WHERE platform = ? AND chat_id = ?)",
                    platform, chatId, kind.name(), Instant.now(), platform, chatId));
        } catch (StoreException e) {
            // two first messages of one chat raced; the other one recorded it
            if (!Jdbc.isUniqueViolation(e)) {
                throw e;
            }
        }
    }

    /** The per-chat binding override, if an admin set one. */
    public Optional<String> chatBinding(String platform, String chatId) {
        return jdbc.run("reading the binding of " + chatId, tx -> tx.optional(
                "SELECT binding FROM chats WHERE platform = ? AND chat_id = ?",
                rs -> Optional.ofNullable(rs.getString(1)), platform, chatId)).flatMap(b -> b);
    }

    public void setChatBinding(String platform, String chatId, String policy) {
        jdbc.run("setting the binding of " + chatId, tx -> tx.update(
                "UPDATE chats SET binding = ? WHERE platform = ? AND chat_id = ?", policy, platform, chatId));
    }
}
