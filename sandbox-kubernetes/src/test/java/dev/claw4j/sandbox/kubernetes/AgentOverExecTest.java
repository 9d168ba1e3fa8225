package dev.claw4j.sandbox.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxManager;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.core.sandbox.Watchdog;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolCall;
import dev.claw4j.protocol.ToolSettings;
import dev.claw4j.protocol.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The channel proven with the real agent runner: the mock API server's exec stream (v4.channel.k8s.io framing) is
 * bridged to a real agent process ({@code dev.claw4j.agent.Main} from the agent module, with the environment the
 * sandbox gives it and a temp folder as its workspace), and one whole turn runs through the host's
 * {@link SandboxManager}: the agent's ready line, its model request, a bash tool call it runs, the reply, the end
 * of the turn, and a clean shutdown. The test plays the model's side of the host (it answers the agent's
 * {@code llm_request}s itself); every call the host made is then checked against deploy/kubernetes' RBAC.
 */
class AgentOverExecTest {
    private static final List<String> AGENT = List.of("claw4j-agent");

    @TempDir
    Path workspace;

    @Test
    void oneWholeTurnRunsThroughTheExecStreamWithTheRealAgent() throws Exception {
        Path group = Files.createDirectories(workspace.resolve("group"));
        try (var cluster = new FakeCluster()) {
            cluster.addRuntimeClass("gvisor", "runsc");
            String javaBin = ProcessHandle.current().info().command().orElse("java");
            cluster.processes = command -> {
                if (command.get(0).equals("sh")) { // send_file's read, in the pod's (here: the test's) shell
                    return FakeCluster.shellIn(group, command);
                }
                if (!command.equals(AGENT)) {
                    return null;
                }
                var agent = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"),
                        "dev.claw4j.agent.Main").directory(group.toFile());
                agent.environment().clear();
                SandboxObjects.ENV.forEach(agent.environment()::put);
                agent.environment().put("CLAW4J_WORKSPACE", workspace.toString());
                agent.environment().put("HOME", workspace.toString());
                return agent;
            };
            var settings = new KubernetesSettings(FakeCluster.NAMESPACE, "gvisor", "claw4j-agent", 0,
                    Duration.ofSeconds(20), "registry.example.com/claw4j-agent:0.1.0", "install-turn", true, null, null);
            var runtime = new KubernetesSandboxRuntime(cluster.host, settings, SandboxLimits.DEFAULTS, AGENT);
            List<String> audited = new ArrayList<>();
            try (var manager = new SandboxManager(runtime,
                    g -> new SandboxSpec(g, group, null, SandboxLimits.DEFAULTS),
                    g -> () -> 0L, Watchdog.Limits.of(1L << 30),
                    (g, kind, detail) -> audited.add(kind + ": " + detail))) {
                var live = manager.acquire("team");  // returns once the agent's ready line came over the exec stream
                var channel = live.channel();

                channel.send(new HostMessage.TurnStart("t1", "team", "You are a test.",
                        List.of(new ChatMessage("ann", "what is in note.txt?", null)), ToolSettings.DEFAULTS));
                var request = (AgentMessage.LlmRequest) next(channel);
                assertThat(request.messages().getLast().text()).contains("what is in note.txt?");

                channel.send(new HostMessage.LlmResponse(request.id(), LlmMessage.assistant(null, List.of(
                        new ToolCall("c1", "bash", "{\"command\": \"echo over-the-pod > note.txt; cat note.txt\"}"))),
                        Usage.NONE, "tool_use"));
                AgentMessage m;
                while (!((m = next(channel)) instanceof AgentMessage.LlmRequest)) {
                    assertThat(m).isInstanceOf(AgentMessage.Event.class);
                }
                var second = (AgentMessage.LlmRequest) m;
                assertThat(second.messages().getLast().text()).isEqualTo("over-the-pod\nexit code: 0");
                assertThat(Files.readString(group.resolve("note.txt"))).isEqualTo("over-the-pod\n");

                channel.send(new HostMessage.LlmResponse(second.id(), LlmMessage.assistant("It says over-the-pod.",
                        List.of()), Usage.NONE, "end_turn"));
                assertThat(next(channel)).isInstanceOf(AgentMessage.TurnDone.class);

                // the tool's file comes back out through the pod, as send_file reads it
                assertThat(live.sandbox().readFile("note.txt", 1024)).asString().isEqualTo("over-the-pod\n");

                // the agent leaves on shutdown, and its exit code comes back on the exec stream's status channel
                channel.send(new HostMessage.Shutdown("test over"));
                assertThat(live.sandbox().exit().get(30, java.util.concurrent.TimeUnit.SECONDS).exitCode()).isZero();
                manager.discard("team");
            }
            assertThat(audited).isEmpty();
            assertThat(cluster.claims()).as("the claim is deleted when the sandbox stops").isEmpty();
            var calls = cluster.hostCalls();
            assertThat(calls).anyMatch(c -> "pods".equals(c.resource()) && "exec".equals(c.subresource()));
            assertThat(RbacRules.ofDeploy().refused(calls)).isEmpty();
        }
    }

    private static AgentMessage next(dev.claw4j.core.agent.AgentChannel channel) throws InterruptedException {
        AgentMessage m = channel.receive(Duration.ofSeconds(30));
        assertThat(m).as("a message from the agent").isNotNull().isNotEqualTo(dev.claw4j.core.agent.AgentChannel.CLOSED);
        return m;
    }
}
