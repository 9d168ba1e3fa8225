package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.agent.AgentChannel;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.ToolSettings;
import dev.claw4j.protocol.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The real agent runner in a real gVisor sandbox, driven by a scripted host over attached stdio. */
class AgentInSandboxIT extends InGvisor {
    @Test
    void aScriptedModelMakesTheAgentRunBashAndWriteAFileThatAppearsOnTheHost() throws Exception {
        List<ProtocolError> refused = new CopyOnWriteArrayList<>();
        try (Sandbox sandbox = runtime.start(TestSandboxes.spec(data, "agent-a"));
             AgentChannel channel = new AgentChannel(sandbox, refused::add)) {
            AgentMessage first = channel.receive(Duration.ofSeconds(60));
            assertThat(first).isInstanceOf(AgentMessage.Ready.class);
            assertThat(((AgentMessage.Ready) first).tools()).contains("bash", "write_file", "send_message");

            channel.send(new HostMessage.TurnStart("t1", "agent-a", "You are a test agent.",
                    List.of(new ChatMessage("ann", "please make the files", "2026-11-27T12:00:00Z")),
                    ToolSettings.DEFAULTS));
            List<HostMessage.LlmResponse> script = List.of(
                    toolCall("c1", "bash", "{\"command\":\"echo from-bash > made-by-bash.txt && id -u\"}"),
                    toolCall("c2", "write_file", "{\"path\":\"notes/made-by-write.txt\",\"content\":\"hello host\"}"),
                    new HostMessage.LlmResponse(null, LlmMessage.assistant("both files are made", List.of()),
                            new Usage(10, 5), "end_turn"));
            List<AgentMessage.LlmRequest> requests = new ArrayList<>();
            List<AgentMessage.Event> events = new ArrayList<>();
            AgentMessage.TurnDone done = null;
            while (done == null) {
                AgentMessage m = channel.receive(Duration.ofSeconds(60));
                assertThat(m).as("agent answered in time").isNotNull().isNotSameAs(AgentChannel.CLOSED);
                switch (m) {
                    case AgentMessage.LlmRequest r -> {
                        var next = script.get(requests.size());
                        requests.add(r);
                        channel.send(new HostMessage.LlmResponse(r.id(), next.message(), next.usage(), next.stopReason()));
                    }
                    case AgentMessage.Event e -> events.add(e);
                    case AgentMessage.TurnDone d -> done = d;
                    default -> throw new AssertionError("unexpected " + m);
                }
            }
            assertThat(done.reply()).isEqualTo("both files are made");
            assertThat(requests).hasSize(3);
            String bashResult = requests.get(1).messages().stream()
                    .filter(msg -> "c1".equals(msg.toolCallId())).findFirst().orElseThrow().text();
            assertThat(bashResult).contains("1000").contains("exit code: 0");
            assertThat(events).extracting(AgentMessage.Event::tool).contains("bash", "write_file");
            Path group = data.resolve("groups/agent-a");
            assertThat(Files.readString(group.resolve("made-by-bash.txt"))).isEqualTo("from-bash\n");
            assertThat(Files.readString(group.resolve("notes/made-by-write.txt"))).isEqualTo("hello host");
            assertThat(refused).isEmpty();
        }
    }

    @Test
    void processesATurnLeavesRunningAreStoppedWhenItEndsEvenOnesInASessionOfTheirOwn() throws Exception {
        Path group = data.resolve("groups/agent-bg");
        try (Sandbox sandbox = runtime.start(TestSandboxes.spec(data, "agent-bg"));
             AgentChannel channel = new AgentChannel(sandbox, e -> {})) {
            assertThat(channel.receive(Duration.ofSeconds(60))).isInstanceOf(AgentMessage.Ready.class);
            channel.send(new HostMessage.TurnStart("t1", "agent-bg", "You are a test agent.",
                    List.of(new ChatMessage("mallory", "keep writing", "2026-11-27T12:00:00Z")), ToolSettings.DEFAULTS));
            AgentMessage.LlmRequest first = receive(channel, AgentMessage.LlmRequest.class);
            channel.send(new HostMessage.LlmResponse(first.id(), LlmMessage.assistant(null, List.of(new ToolCall("c1",
                    "bash", "{\"command\":\"(while true; do date >> bg.log; sleep 0.2; done) & setsid bash -c "
                            + "'while true; do date >> bg2.log; sleep 0.2; done' > /dev/null 2>&1 < /dev/null &\"}"))),
                    new Usage(10, 5), "tool_use"));
            AgentMessage.LlmRequest second = receive(channel, AgentMessage.LlmRequest.class);
            // both writers really run, seen from the host through the group folder
            awaitGrowing(group.resolve("bg.log"));
            awaitGrowing(group.resolve("bg2.log"));

            channel.send(new HostMessage.LlmResponse(second.id(), LlmMessage.assistant("started", List.of()),
                    new Usage(10, 5), "end_turn"));
            AgentMessage.Event stopped = receive(channel, AgentMessage.Event.class);
            assertThat(stopped.kind()).isEqualTo("processes.stopped");
            assertThat(receive(channel, AgentMessage.TurnDone.class).reply()).isEqualTo("started");

            long size = Files.size(group.resolve("bg.log"));
            long size2 = Files.size(group.resolve("bg2.log"));
            Thread.sleep(1_500);
            assertThat(Files.size(group.resolve("bg.log"))).as("bg.log after the turn").isEqualTo(size);
            assertThat(Files.size(group.resolve("bg2.log"))).as("bg2.log after the turn").isEqualTo(size2);

            // and the agent is there for the next turn
            channel.send(new HostMessage.TurnStart("t2", "agent-bg", "You are a test agent.",
                    List.of(new ChatMessage("mallory", "still there?", "2026-11-27T12:01:00Z")), ToolSettings.DEFAULTS));
            AgentMessage.LlmRequest third = receive(channel, AgentMessage.LlmRequest.class);
            channel.send(new HostMessage.LlmResponse(third.id(), LlmMessage.assistant("yes", List.of()),
                    new Usage(10, 5), "end_turn"));
            assertThat(receive(channel, AgentMessage.TurnDone.class).reply()).isEqualTo("yes");
        }
    }

    @Test
    void aSandboxWritingLinesWhileTheHostReadsNothingIsMadeToWaitInItsOwnPipe() throws Exception {
        Path group = data.resolve("groups/agent-flood");
        try (Sandbox sandbox = runtime.start(TestSandboxes.spec(data, "agent-flood"));
             AgentChannel channel = new AgentChannel(sandbox, e -> {})) {
            assertThat(channel.receive(Duration.ofSeconds(60))).isInstanceOf(AgentMessage.Ready.class);
            channel.send(new HostMessage.TurnStart("t1", "agent-flood", "You are a test agent.",
                    List.of(new ChatMessage("mallory", "flood", "2026-11-27T12:00:00Z")), ToolSettings.DEFAULTS));
            AgentMessage.LlmRequest first = receive(channel, AgentMessage.LlmRequest.class);
            // valid lines of about 1 KiB, straight into the runner's stdout; every 100 a count in the folder
            String line = "{\"v\":1,\"type\":\"ready\",\"agentVersion\":\"" + "x".repeat(1000) + "\",\"tools\":[]}";
            String command = "i=0; while :; do echo '" + line + "'; i=$((i+1)); "
                    + "if [ $((i % 100)) = 0 ]; then echo $i > count; fi; done > /proc/$PPID/fd/1";
            String args = new com.fasterxml.jackson.databind.ObjectMapper()
                    .writeValueAsString(java.util.Map.of("command", command));
            channel.send(new HostMessage.LlmResponse(first.id(), LlmMessage.assistant(null,
                    List.of(new ToolCall("c1", "bash", args))), new Usage(10, 5), "tool_use"));

            // from here the host reads nothing: the writer must come to a stop, not the host's memory fill up
            Path count = group.resolve("count");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            long seen = -1;
            long now = 0;
            while (now != seen) {
                assertThat(System.nanoTime()).as("the writer comes to a stop").isLessThan(deadline);
                seen = now;
                Thread.sleep(2_000);
                now = Files.exists(count) ? Long.parseLong(Files.readString(count).strip()) : 0;
            }
            System.out.println("[flood] the sandbox's writer was stopped after " + now + " lines of 1 KiB");
            assertThat(now).as("lines written before the writer was stopped (the flood ran)").isGreaterThan(1_000);
            assertThat(now * 1_040).as("bytes the sandbox got out while nobody read").isLessThan(16L << 20);
            assertThat(channel.queued()).isLessThanOrEqualTo(AgentChannel.MAX_QUEUED);

            // reading again lets it go on
            for (int i = 0; i < 5_000; i++) {
                assertThat(channel.receive(Duration.ofSeconds(30))).isNotNull().isNotSameAs(AgentChannel.CLOSED);
            }
            Thread.sleep(1_000);
            assertThat(Long.parseLong(Files.readString(count).strip())).isGreaterThan(now);
        }
    }

    /** The next message of the given type; events (tool started / finished) in between are skipped. */
    private static <T extends AgentMessage> T receive(AgentChannel channel, Class<T> type) throws InterruptedException {
        while (true) {
            AgentMessage m = channel.receive(Duration.ofSeconds(60));
            assertThat(m).as("the agent answered in time").isNotNull().isNotSameAs(AgentChannel.CLOSED);
            if (type.isInstance(m)) {
                return type.cast(m);
            }
            assertThat(m).as("only events in between").isInstanceOf(AgentMessage.Event.class);
            assertThat(((AgentMessage.Event) m).kind()).startsWith("tool.");
        }
    }

    private static void awaitGrowing(Path file) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!Files.exists(file) || Files.readAllLines(file).size() < 3) {
            assertThat(System.nanoTime()).as(file + " grows").isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    @Test
    void badLinesFromTheHostSideAreAnsweredAndTheAgentKeepsGoing() throws Exception {
        try (Sandbox sandbox = runtime.start(TestSandboxes.spec(data, "agent-b"));
             AgentChannel channel = new AgentChannel(sandbox, e -> {})) {
            assertThat(channel.receive(Duration.ofSeconds(60))).isInstanceOf(AgentMessage.Ready.class);
            sandbox.stdin().write("this is not json\n".getBytes());
            sandbox.stdin().flush();
            AgentMessage answer = channel.receive(Duration.ofSeconds(30));
            assertThat(answer).isInstanceOf(ProtocolError.class);
            channel.send(new HostMessage.Shutdown("test over"));
            assertThat(sandbox.exit().get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isZero();
        }
    }

    @Test
    void readingAFileGoesThroughTheSandboxsOwnViewAndNeverFollowsALinkToTheHost() throws Exception {
        Path group = data.resolve("groups/agent-files");
        Files.createDirectories(group);
        Path hostSecret = data.resolve("host-secret.txt");
        Files.writeString(hostSecret, "HOST-SECRET");
        try (Sandbox sandbox = runtime.start(TestSandboxes.spec(data, "agent-files"))) {
            Files.writeString(group.resolve("ok.txt"), "fine");
            Files.createSymbolicLink(group.resolve("link.txt"), hostSecret);
            Files.createSymbolicLink(group.resolve("etc-link.txt"), Path.of("/etc/os-release"));
            assertThat(new String(sandbox.readFile("/workspace/group/ok.txt", 1024))).isEqualTo("fine");
            for (String forged : List.of("/workspace/group/link.txt", "/workspace/group/etc-link.txt",
                    hostSecret.toString(), "/workspace/group/../../" + hostSecret)) {
                try {
                    byte[] got = sandbox.readFile(forged, 1024);
                    assertThat(new String(got)).as(forged).doesNotContain("HOST-SECRET");
                    throw new AssertionError("read " + forged + " through a link or a host path");
                } catch (dev.claw4j.core.sandbox.SandboxException refused) {
                    assertThat(refused.getMessage()).contains(forged.substring(forged.lastIndexOf('/') + 1));
                }
            }
            assertThatThrownBy(() -> sandbox.readFile("/workspace/group/ok.txt", 2))
                    .hasMessageContaining("the most that can be sent is 2");
        }
    }

    @Test
    void orphansOfThisInstallAreRemovedAndOthersAreLeftAlone() throws Exception {
        String mine = TestSandboxes.installId();
        String theirs = TestSandboxes.installId();
        var mineRuntime = new DockerSandboxRuntime(TestSandboxes.DOCKER, new SandboxSettings("runsc", true, null, mine));
        var theirRuntime = new DockerSandboxRuntime(TestSandboxes.DOCKER, new SandboxSettings("runsc", true, null, theirs));
        Sandbox a = mineRuntime.start(TestSandboxes.spec(data, "orphan-a"));
        Sandbox b = theirRuntime.start(TestSandboxes.spec(data, "orphan-b"));
        try {
            // a restart of "mine" finds its leftover and only that
            var restarted = new DockerSandboxRuntime(TestSandboxes.DOCKER, new SandboxSettings("runsc", true, null, mine));
            assertThat(restarted.removeOrphans()).isEqualTo(1);
            assertThat(a.exit().get(30, java.util.concurrent.TimeUnit.SECONDS)).isNotNull();
            assertThat(b.exit().isDone()).isFalse();
        } finally {
            b.close();
        }
    }

    private static HostMessage.LlmResponse toolCall(String id, String tool, String args) {
        return new HostMessage.LlmResponse(null, LlmMessage.assistant(null, List.of(new ToolCall(id, tool, args))),
                new Usage(10, 5), "tool_use");
    }
}
