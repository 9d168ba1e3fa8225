package dev.claw4j.telegram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file where earlier versions kept the getUpdates offset (one per bot, in connectors.telegram.stateDir).
 * The offset now lives in the host's store, written with the messages it covers; this file is read once, when
 * the store has no cursor yet, so an existing install resumes where it was, and is removed after.
 */
final class OffsetStore {
    private static final Logger log = LoggerFactory.getLogger(OffsetStore.class);
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
            log.warn("telegram: the old offset file {} is unreadable ({}); starting from what Telegram still holds",
                    file, e.toString());
            return OptionalLong.empty();
        }
    }

    /** Removes the file once the store holds the offset; a file left behind is only ignored. */
    void delete() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("telegram: could not remove the old offset file {} ({}); it is ignored from now on", file,
                    e.toString());
        }
    }
}
