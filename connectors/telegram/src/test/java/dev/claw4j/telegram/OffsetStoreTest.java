package dev.claw4j.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OffsetStoreTest {
    @TempDir
    Path data;

    @Test
    void theOffsetIsKeptInAFileOnlyItsOwnerReads() throws Exception {
        OffsetStore offsets = new OffsetStore(data.resolve("telegram"), 42);
        assertThat(offsets.load()).isEmpty();
        // a leftover of a crash, readable by all: it must not become the offset file with its mode
        Files.createDirectories(data.resolve("telegram"));
        Path stale = Files.writeString(data.resolve("telegram/telegram-42.offset.tmp"), "1");
        Files.setPosixFilePermissions(stale, PosixFilePermissions.fromString("rw-r--r--"));

        offsets.save(1234);
        offsets.save(1235);

        assertThat(new OffsetStore(data.resolve("telegram"), 42).load()).hasValue(1235);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(offsets.file()))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("telegram"))))
                .isEqualTo("rwx------");
        assertThat(stale).doesNotExist();
    }
}
