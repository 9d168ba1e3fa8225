package dev.claw4j.agent;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.claw4j.protocol.LlmMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The conversation, kept in the group folder ({@code .claw4j/session.jsonl}, one {@link LlmMessage} per
 * line) so the next turn continues it, even in a new sandbox: the folder outlives the container.
 * Only the recent part is kept. A damaged file is set aside and the conversation starts fresh; it never
 * stops the agent.
 */
final class SessionStore {
    static final int MAX_MESSAGES = 200;
    private static final Set<String> ROLES = Set.of(LlmMessage.USER, LlmMessage.ASSISTANT, LlmMessage.TOOL);

    private final Path file;

    SessionStore(Path groupFolder) {
        this.file = groupFolder.resolve(".claw4j").resolve("session.jsonl");
    }

    Path file() {
        return file;
    }

    List<LlmMessage> load() {
        if (!Files.exists(file)) {
            return List.of();
        }
        List<LlmMessage> messages = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    messages.add(parse(line));
                }
            }
        } catch (IOException | UncheckedIOException | IllegalArgumentException e) {
            setAside(e);
            return List.of();
        }
        return recent(messages, MAX_MESSAGES);
    }

    /** Replaces the file with the conversation's recent part, atomically: a crash leaves the old file or the new. */
    void save(List<LlmMessage> conversation) {
        StringBuilder text = new StringBuilder();
        try {
            for (LlmMessage message : recent(conversation, MAX_MESSAGES)) {
                text.append(Json.MAPPER.writeValueAsString(message)).append('\n');
            }
            Files.createDirectories(file.getParent());
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            try {
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            // the reply still goes out; only the memory of this turn is lost
            Log.warn("could not save the session to " + file + ": " + e);
        }
    }

    /**
     * The last {@code max} messages, starting at a user message: a conversation must not open with a tool
     * result whose call was cut off, nor with the assistant.
     */
    static List<LlmMessage> recent(List<LlmMessage> messages, int max) {
        int start = Math.max(0, messages.size() - max);
        while (start < messages.size() && !LlmMessage.USER.equals(messages.get(start).role())) {
            start++;
        }
        return new ArrayList<>(messages.subList(start, messages.size()));
    }

    private static LlmMessage parse(String line) {
        LlmMessage message;
        try {
            message = Json.MAPPER.readValue(line, LlmMessage.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("bad line: " + Text.shorten(e.getOriginalMessage(), 200), e);
        }
        if (message == null || !ROLES.contains(message.role())) {
            throw new IllegalArgumentException("bad role in line: " + Text.shorten(line, 100));
        }
        return message;
    }

    private void setAside(Exception problem) {
        Path corrupt = file.resolveSibling(file.getFileName() + ".corrupt");
        Log.warn("the session file " + file + " cannot be read (" + problem.getMessage()
                + "); starting a fresh conversation and keeping the old file as " + corrupt.getFileName());
        try {
            Files.move(file, corrupt, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Log.warn("could not set the session file aside: " + e);
        }
    }
}
