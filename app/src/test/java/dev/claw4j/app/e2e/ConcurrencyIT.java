package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.core.store.AuditEvent;
import dev.claw4j.sandbox.DockerClients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 40 chats send 5 messages each, all at once, with room for 4 sandboxes: every message is answered exactly
 * once, no group ever runs two turns at once, and Docker never holds more than 4 of our sandboxes.
 */
class ConcurrencyIT {
    private static final int CHATS = 40;
    private static final int MESSAGES = 5;
    private static final int MAX_SANDBOXES = 4;

    @TempDir
    Path data;

    @Test
    void fortyChatsFiveMessagesEachFourSandboxes() throws Exception {
        try (RunningHost host = new RunningHost(data, MAX_SANDBOXES, "1m")) {
            var docker = DockerClients.connect();
            AtomicInteger peak = new AtomicInteger();
            AtomicBoolean watching = new AtomicBoolean(true);
            Thread watcher = Thread.ofVirtual().start(() -> {
                while (watching.get()) {
                    int n = docker.listContainersCmd().withShowAll(true)
                            .withLabelFilter(Map.of("dev.claw4j.install", host.installId)).exec().size();
                    peak.accumulateAndGet(n, Math::max);
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });

            try (ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<Long>> sent = new ArrayList<>();
                for (int c = 0; c < CHATS; c++) {
                    for (int m = 0; m < MESSAGES; m++) {
                        String chat = "dm-load-" + c;
                        String text = "msg-" + c + "-" + m;
                        sent.add(senders.submit(() -> host.chat.post(chat, "user" + chat, text)));
                    }
                }
                for (Future<Long> f : sent) {
                    f.get();
                }
            }

            long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
            for (int c = 0; c < CHATS; c++) {
                String chat = "dm-load-" + c;
                while (!allDone(host.chat.messages(chat))) {
                    assertThat(System.nanoTime()).as("chat %s done in time: %s", chat, host.chat.messages(chat))
                            .isLessThan(deadline);
                    Thread.sleep(200);
                }
            }
            watching.set(false);
            watcher.join();

            for (int c = 0; c < CHATS; c++) {
                String chat = "dm-load-" + c;
                List<JsonNode> replies = host.chat.replies(chat);
                for (int m = 0; m < MESSAGES; m++) {
                    String text = "msg-" + c + "-" + m;
                    long answeredBy = replies.stream().filter(r -> r.get("text").asText().contains(text + "\n")
                            || r.get("text").asText().contains(text + "\"") || r.get("text").asText().endsWith(text)
                            || r.get("text").asText().contains(text + " ")).count();
                    assertThat(answeredBy).as("replies in %s that answer %s: %s", chat, text, replies).isEqualTo(1);
                }
                String group = host.claw4j.store().groups().groupForBinding("web:chat:" + chat).orElseThrow();
                assertNoOverlappingTurns(host.claw4j.store().audit().auditTrail(group));
            }
            assertThat(peak.get()).as("most sandboxes alive at once").isLessThanOrEqualTo(MAX_SANDBOXES).isPositive();
        }
    }

    private static boolean allDone(List<JsonNode> messages) {
        long inbound = messages.stream().filter(m -> m.get("direction").asText().equals("in")).count();
        return inbound == MESSAGES && messages.stream().allMatch(m -> m.get("status").asText().equals("DONE")
                || m.get("status").asText().equals("DELIVERED"));
    }

    private static void assertNoOverlappingTurns(List<AuditEvent> trail) {
        int open = 0;
        for (AuditEvent e : trail) {
            if (e.kind().equals("turn.started")) {
                open++;
                assertThat(open).as("turns open at once in %s", e.groupId()).isEqualTo(1);
            } else if (e.kind().equals("turn.finished")) {
                open--;
            }
        }
        assertThat(open).isZero();
    }
}
