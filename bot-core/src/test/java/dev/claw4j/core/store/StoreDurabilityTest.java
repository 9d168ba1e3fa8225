package dev.claw4j.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A commit that has returned is on disk: a second JVM stores messages as fast as it can and says which commits
 * returned; it is killed with SIGKILL mid-stream, and every message it reported is there after a restart.
 */
class StoreDurabilityTest {
    @TempDir
    Path data;

    @Test
    void everyCommitThatReturnedSurvivesKillMinus9() throws Exception {
        for (int round = 0; round < 3; round++) {
            Path dir = data.resolve("round-" + round);
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Writer.class.getName(), dir.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> committed = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (!line.matches("m[0-9]+")) {
                        continue; // a log line
                    }
                    committed.add(line);
                    if (committed.size() == 40 + 30 * round) {
                        child.destroyForcibly(); // SIGKILL: no shutdown hook, no close, no flush
                        break;
                    }
                }
            }
            child.waitFor();
            assertThat(committed).as("the writer really ran").hasSizeGreaterThanOrEqualTo(40);
            try (Store store = Store.open(dir)) {
                for (String id : committed) {
                    assertThat(store.messages().inboundId("web", id)).as("message %s, committed before the kill", id).isPresent();
                }
            }
        }
    }

    /**
     * The offset never runs ahead of the store: a JVM stores messages each with the cursor past it and is killed
     * mid-stream; after the restart the messages on disk are exactly those the stored cursor has passed.
     */
    @Test
    void theCursorIsOnDiskExactlyWithTheMessagesItCovers() throws Exception {
        for (int round = 0; round < 3; round++) {
            Path dir = data.resolve("cursor-" + round);
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CursorWriter.class.getName(), dir.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            int reported = 0;
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.matches("u[0-9]+") && ++reported == 40 + 25 * round) {
                        child.destroyForcibly(); // SIGKILL while it keeps writing
                        break;
                    }
                }
            }
            child.waitFor();
            assertThat(reported).as("the writer really ran").isGreaterThanOrEqualTo(40);
            try (Store store = Store.open(dir)) {
                long cursor = store.cursors().cursor("telegram:1").orElseThrow();
                assertThat(cursor).as("every reported commit is on disk").isGreaterThanOrEqualTo(reported);
                for (long u = 0; u < cursor + 5; u++) {
                    assertThat(store.messages().inboundId("telegram", "u" + u).isPresent())
                            .as("message u%d is stored exactly when the cursor (%d) has passed it", u, cursor)
                            .isEqualTo(u < cursor);
                }
            }
        }
    }

    /** The other JVM: stores update u<i> with the cursor i+1, and prints u<i> once the commit has returned. */
    public static final class CursorWriter {
        public static void main(String[] args) {
            try (Store store = Store.open(Path.of(args[0]))) {
                for (int i = 0; ; i++) {
                    String id = "u" + i;
                    store.messages().insertInbound(new InboundMessage("telegram", "chat", null, "ann", "Ann", "message " + i, id,
                            ChatKind.DIRECT, false, Instant.now()), MessageStatus.PENDING, List.of(),
                            new dev.claw4j.core.connector.Cursor("telegram:1", i + 1));
                    System.out.println(id);
                    System.out.flush();
                }
            }
        }
    }

    /** The other JVM: stores messages and prints each id once its commit has returned. */
    public static final class Writer {
        public static void main(String[] args) {
            try (Store store = Store.open(Path.of(args[0]))) {
                for (int i = 0; ; i++) {
                    String id = "m" + i;
                    store.messages().insertInbound(new InboundMessage("web", "chat", null, "ann", "Ann", "message " + i, id,
                            ChatKind.DIRECT, false, Instant.now()), MessageStatus.PENDING);
                    System.out.println(id);
                    System.out.flush();
                }
            }
        }
    }
}
