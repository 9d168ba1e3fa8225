package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files both ways through the real host and a real sandbox: a file a person sends lands in the group's
 * inbox/, and send_file delivers what the sandbox sees — never a host file behind a link.
 */
class FilesIT {
    @TempDir
    Path data;

    /** A minimal platform: what the test hands it goes to the host; what the host delivers is kept. */
    static final class TestPlatform implements Connector {
        volatile Inbox inbox;
        final List<OutboundMessage> delivered = new CopyOnWriteArrayList<>();
        final List<byte[]> files = new CopyOnWriteArrayList<>();

        @Override
        public String platform() {
            return "test";
        }

        @Override
        public void start(Inbox inbox) {
            this.inbox = inbox;
        }

        @Override
        public dev.claw4j.core.connector.Delivered deliver(OutboundMessage message) {
            try {
                files.add(message.file() == null ? null : Files.readAllBytes(message.file()));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            delivered.add(message);
            return dev.claw4j.core.connector.Delivered.NO_IDS;
        }

        @Override
        public void close() {}

        void say(String id, String text, Attachment... attachments) {
            inbox.receive(new InboundMessage("test", "room", null, "u1", "Uma", text, id, ChatKind.DIRECT, false,
                    null, List.of(attachments)));
        }

        OutboundMessage awaitDelivery(int n) {
            await().atMost(90, TimeUnit.SECONDS).until(() -> delivered.size() >= n);
            return delivered.get(n - 1);
        }
    }

    @Test
    void filesGoBothWaysAndLinksToHostFilesAreNotFollowed() throws Exception {
        TestPlatform platform = new TestPlatform();
        try (RunningHost host = new RunningHost(data, 2, "1m", "2m", List.of(platform), "per-chat")) {
            platform.say("m1", "run: cat inbox/*notes.txt",
                    new Attachment("notes.txt", "text/plain", "FROM-THE-PERSON".getBytes(StandardCharsets.UTF_8)));
            assertThat(platform.awaitDelivery(1).text()).contains("FROM-THE-PERSON");

            platform.say("m2", "run: printf 'a,b\\n1,2\\n' > table.csv && echo made");
            platform.awaitDelivery(2);
            platform.say("m3", "send: table.csv");
            OutboundMessage file = platform.awaitDelivery(3);
            assertThat(file.fileName()).isEqualTo("table.csv");
            assertThat(new String(platform.files.get(2), StandardCharsets.UTF_8)).isEqualTo("a,b\n1,2\n");
            platform.awaitDelivery(4); // the turn's own reply after the tool

            Path hostSecret = data.resolve("host-only.txt");
            Files.writeString(hostSecret, "HOST-ONLY-SECRET");
            // the agent's own confinement refuses a link out of /workspace (the host's refusal of links, for an
            // agent that forges the call, is proven in AgentInSandboxIT)
            platform.say("m4", "run: ln -s /etc/os-release leak.txt && echo linked");
            platform.awaitDelivery(5);
            platform.say("m5", "send: leak.txt");
            OutboundMessage refused = platform.awaitDelivery(6);
            assertThat(refused.file()).isNull();
            assertThat(refused.text()).contains("leak.txt");
            platform.say("m6", "send: " + hostSecret);
            OutboundMessage missing = platform.awaitDelivery(7);
            assertThat(missing.file()).isNull();
            Thread.sleep(1000);
            assertThat(platform.files).filteredOn(b -> b != null)
                    .noneMatch(b -> new String(b, StandardCharsets.UTF_8).contains("HOST-ONLY-SECRET"));
        }
    }
}
