package dev.claw4j.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The offset file of earlier versions: read when present, harmless when damaged, removed after. */
class OffsetStoreTest {
    @TempDir
    Path data;

    @Test
    void theOldFileIsReadAndThenRemoved() throws Exception {
        OffsetStore old = new OffsetStore(data, 42);
        assertThat(old.load()).isEmpty();
        Files.writeString(data.resolve("telegram-42.offset"), "1235\n");
        assertThat(old.load()).hasValue(1235);
        old.delete();
        assertThat(old.file()).doesNotExist();
        assertThat(old.load()).isEmpty();
        old.delete(); // nothing there: no error
    }

    @Test
    void aDamagedFileCountsAsNone() throws Exception {
        Files.writeString(data.resolve("telegram-42.offset"), "12x");
        assertThat(new OffsetStore(data, 42).load()).isEmpty();
    }
}
