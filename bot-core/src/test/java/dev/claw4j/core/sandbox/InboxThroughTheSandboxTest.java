package dev.claw4j.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.store.StoredAttachment;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.Usage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a file a person sent goes: into the host's group folder when the sandbox sees it (Docker's bind mount), and
 * through the sandbox when its folder lives where it runs (a pod's volume), never into a host folder it cannot see.
 * Likewise the group's memory for the instructions comes from where the agent wrote it.
 */
@org.junit.jupiter.api.Timeout(60)
class InboxThroughTheSandboxTest {
    @TempDir
    Path data;

    private TurnRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void aSandboxWhoseFolderIsNotTheHostsGetsTheFileThroughItself() throws Exception {
        FakeRuntime runtime = new FakeRuntime(InboxThroughTheSandboxTest::answer, false);
        runtime.volume.put("AGENT.md", "remember: the pod's own notes".getBytes(StandardCharsets.UTF_8));
        IncomingFiles incoming = new IncomingFiles(data);
        StoredAttachment kept = turnWithFile(runtime, incoming);

        FakeRuntime.FakeSandbox sandbox = runtime.started.getFirst();
        String placed = sandbox.files.keySet().stream().findFirst().orElseThrow();
        assertThat(placed).startsWith("inbox/").endsWith("-0-report.txt");
        assertThat(new String(sandbox.files.get(placed), StandardCharsets.UTF_8)).isEqualTo("the numbers");
        assertThat(data.resolve("groups/g1/inbox")).as("nothing in a host folder the pod never sees").doesNotExist();
        assertThat(incoming.content(kept)).as("placed, so the host forgets its copy").isEmpty();
        assertThat(turnStart(sandbox)).as("the memory the agent wrote in its volume is in its instructions")
                .contains("the pod's own notes").contains("inbox/");
    }

    @Test
    void aSandboxThatSeesTheHostsFolderGetsTheFileThereAsBefore() throws Exception {
        FakeRuntime runtime = new FakeRuntime(InboxThroughTheSandboxTest::answer, true);
        Files.createDirectories(data.resolve("groups/g1"));
        Files.writeString(data.resolve("groups/g1/AGENT.md"), "remember: the host folder's notes");
        IncomingFiles incoming = new IncomingFiles(data);
        turnWithFile(runtime, incoming);

        assertThat(runtime.started.getFirst().files).isEmpty();
        assertThat(turnStart(runtime.started.getFirst())).contains("the host folder's notes");
        try (var inbox = Files.list(data.resolve("groups/g1/inbox"))) {
            assertThat(inbox).singleElement().satisfies(f -> {
                assertThat(f.getFileName().toString()).endsWith("-0-report.txt");
                assertThat(Files.readString(f)).isEqualTo("the numbers");
            });
        }
    }

    /** The turn.start line the sandbox got. */
    private static String turnStart(FakeRuntime.FakeSandbox sandbox) throws InterruptedException {
        for (String line; (line = sandbox.readLine()) != null; ) {
            if (line.contains("\"turn.start\"")) {
                return line;
            }
        }
        throw new AssertionError("the sandbox stopped before it got a turn.start");
    }

    private static void answer(FakeRuntime.FakeSandbox agent) throws Exception {
        agent.writeLine(JsonLines.encode(new AgentMessage.TurnDone("t", "got it", new Usage(0, 0))));
        Thread.sleep(Long.MAX_VALUE);
    }

    private StoredAttachment turnWithFile(FakeRuntime runtime, IncomingFiles incoming) throws Exception {
        Files.createDirectories(data.resolve("groups/g1"));
        rig = new TurnRig(runtime, data, incoming, Metrics.none());
        long id = rig.message("see this", incoming.keep(List.of(new Attachment("report.txt", "text/plain",
                "the numbers".getBytes(StandardCharsets.UTF_8)))));
        rig.turns.runTurn("g1", TurnRig.PLAIN);
        return rig.store.messages().attachments(id).getFirst();
    }
}
