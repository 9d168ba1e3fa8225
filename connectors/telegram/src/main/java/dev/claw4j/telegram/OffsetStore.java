package dev.claw4j.telegram;

import dev.claw4j.core.store.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The getUpdates offset (last processed update_id + 1) kept in a small file, one per bot, so a restart asks
 * Telegram for exactly the updates it has not handled yet. Written to a temporary file and moved over the
 * old one, so a crash mid-write leaves the previous value, never half a number.
 */
final class OffsetStore {
    private final Path file;

    OffsetStore(Path stateDir, long botId) {
        this.file = stateDir.resolve("telegram-" + botId + ".offset");
    }

    Path file() {
        return file;
    }

    OptionalLong load() {
        try {
            if (!Files.exists(file)) {
                return OptionalLong.empty();
            }
            String text = Files.readString(file, StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            // a damaged file only costs redelivery of recent updates, which the host deduplicates
            return OptionalLong.empty();
        }
    }

    void save(long offset) {
        try {
            PrivateFiles.directory(file.getParent());
            PrivateFiles.replace(file, Long.toString(offset)); // 0600 from the start, moved over the old one
        } catch (IOException e) {
            throw new UncheckedIOException("telegram: cannot write the update offset to " + file
                    + " (connectors.telegram.stateDir): " + e.getMessage(), e);
        }
    }
}
