package dev.claw4j.agent;

import static dev.claw4j.agent.ScriptedHost.text;
import static dev.claw4j.agent.ScriptedHost.toolCall;
import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real agent, driven over its protocol by a scripted host. */
class AgentTest {
    @TempDir
    Path root;

    private static HostMessage.TurnStart turn(String turnId, String sender, String text) {
        return turn(turnId, sender, text, ToolSettings.DEFAULTS);
    }

    private static HostMessage.TurnStart turn(String turnId, String sender, String text, ToolSettings settings) {
        return new HostMessage.TurnStart(turnId, "g1", "You are a helpful agent.",
                List.of(new ChatMessage(sender, text, "2026-01-01T10:00:00Z")), settings);
    }

    private static List<LlmMessage> toolResults(AgentMessage.LlmRequest request) {
        return request.messages().stream().filter(m -> LlmMessage.TOOL.equals(m.role())).toList();
    }

    @Test
    void aTurnRunsToolsAndEndsWithTheModelsReply() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            AgentMessage.Ready ready = host.expect(AgentMessage.Ready.class);
            assertThat(ready.agentVersion()).isEqualTo("test");
            assertThat(ready.tools()).containsExactly("bash", "read_file", "write_file", "edit_file", "list_files",
                    "grep", "send_message", "send_file", "web_fetch", "schedule_task", "list_tasks", "pause_task",
                    "resume_task", "cancel_task");

            host.send(turn("t1", "ann", "make two files"));
            AgentMessage.LlmRequest first = host.answer(
                    toolCall("c1", "bash", "{\"command\": \"echo hi > f.txt\"}"), new Usage(100, 10));
            assertThat(first.turnId()).isEqualTo("t1");
            assertThat(first.system()).isEqualTo("You are a helpful agent.");
            assertThat(first.messages()).containsExactly(LlmMessage.user("ann: make two files"));
            assertThat(first.tools()).extracting(t -> t.name()).contains("bash", "write_file");

            AgentMessage.Event started = host.expect(AgentMessage.Event.class);
            assertThat(started).isEqualTo(new AgentMessage.Event("t1", "tool.started", "bash", "echo hi > f.txt", null, null));
            AgentMessage.Event finished = host.expect(AgentMessage.Event.class);
            assertThat(finished.kind()).isEqualTo("tool.finished");
            assertThat(finished.ok()).isTrue();
            assertThat(finished.detail()).isEqualTo("echo hi > f.txt → exit 0");
            assertThat(finished.durationMs()).isNotNull();

            AgentMessage.LlmRequest second = host.answer(
                    toolCall("c2", "write_file", "{\"path\": \"docs/b.md\", \"content\": \"# B\"}"), new Usage(200, 20));
            assertThat(second.id()).isNotEqualTo(first.id());
            assertThat(toolResults(second)).singleElement().satisfies(r -> {
                assertThat(r.toolCallId()).isEqualTo("c1");
                assertThat(r.text()).isEqualTo("(no output)\nexit code: 0");
            });
            assertThat(host.expect(AgentMessage.Event.class).detail()).isEqualTo("docs/b.md");
            assertThat(host.expect(AgentMessage.Event.class).ok()).isTrue();

            AgentMessage.LlmRequest third = host.answer(text("Both files are there."), new Usage(300, 30));
            assertThat(toolResults(third)).extracting(LlmMessage::text)
                    .containsExactly("(no output)\nexit code: 0", "wrote 3 bytes to docs/b.md");

            AgentMessage.TurnDone done = host.expect(AgentMessage.TurnDone.class);
            assertThat(done).isEqualTo(new AgentMessage.TurnDone("t1", "Both files are there.", new Usage(600, 60)));
            assertThat(Files.readString(root.resolve("group/f.txt"))).isEqualTo("hi\n");
            assertThat(Files.readString(root.resolve("group/docs/b.md"))).isEqualTo("# B");
        }
    }

    @Test
    void aFollowUpArrivingMidTurnJoinsTheNextModelCall() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "list the files"));
            AgentMessage.LlmRequest first = host.expect(AgentMessage.LlmRequest.class);
            // the follow-up arrives while the model is thinking
            host.send(new HostMessage.TurnMessage("t1", List.of(new ChatMessage("bob", "and count them", null),
                    new ChatMessage("ann", "please", null))));
            host.send(new HostMessage.LlmResponse(first.id(), toolCall("c1", "list_files", "{}"), Usage.NONE, "tool_use"));
            host.expect(AgentMessage.Event.class);
            host.expect(AgentMessage.Event.class);

            AgentMessage.LlmRequest second = host.answer(text("No files yet, so zero."), Usage.NONE);
            assertThat(second.messages().getLast()).isEqualTo(LlmMessage.user("bob: and count them\nann: please"));
            assertThat(second.messages().get(second.messages().size() - 2).role()).isEqualTo(LlmMessage.TOOL);
            assertThat(host.expect(AgentMessage.TurnDone.class).reply()).isEqualTo("No files yet, so zero.");
        }
    }

    @Test
    void aFollowUpArrivingDuringTheLastModelCallIsAnsweredInTheSameTurn() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "hello"));
            AgentMessage.LlmRequest first = host.expect(AgentMessage.LlmRequest.class);
            host.send(new HostMessage.TurnMessage("t1", List.of(new ChatMessage("ann", "what time is it?", null))));
            host.send(new HostMessage.LlmResponse(first.id(), text("Hello!"), Usage.NONE, "end_turn"));

            AgentMessage.LlmRequest second = host.answer(text("I have no clock."), Usage.NONE);
            assertThat(second.messages()).endsWith(text("Hello!"), LlmMessage.user("ann: what time is it?"));
            AgentMessage.TurnDone done = host.expect(AgentMessage.TurnDone.class);
            assertThat(done.reply()).isEqualTo("Hello!\n\nI have no clock.");
            assertThat(done.followUpsTaken()).isEqualTo(1);
        }
    }

    @Test
    void aFollowUpArrivingAfterItsTurnEndedIsNotCountedAndNotAnsweredTwice() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "hi"));
            host.answer(text("Hi!"), Usage.NONE);
            assertThat(host.expect(AgentMessage.TurnDone.class).followUpsTaken()).isZero();
            host.send(new HostMessage.TurnMessage("t1", List.of(new ChatMessage("bob", "too late?", null))));
            // the host saw followUpsTaken = 0, so it re-sends the late message in the next turn.start
            host.send(turn("t2", "bob", "too late?"));
            AgentMessage.LlmRequest request = host.answer(text("ok"), Usage.NONE);
            assertThat(request.messages().getLast()).isEqualTo(LlmMessage.user("bob: too late?"));
            host.expect(AgentMessage.TurnDone.class);
        }
    }

    @Test
    void aFailedModelCallEndsTheTurnWithAClearReply() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "hi"));
            AgentMessage.LlmRequest request = host.expect(AgentMessage.LlmRequest.class);
            host.send(new ProtocolError(request.id(), ProtocolError.BUDGET_EXCEEDED,
                    "this group has used its token budget for today"));
            AgentMessage.TurnDone done = host.expect(AgentMessage.TurnDone.class);
            assertThat(done.turnId()).isEqualTo("t1");
            assertThat(done.reply()).isEqualTo("The model call failed: this group has used its token budget for today");

            // the agent is still there for the next turn
            host.send(turn("t2", "ann", "hi again"));
            host.answer(text("Hi!"), Usage.NONE);
            assertThat(host.expect(AgentMessage.TurnDone.class).reply()).isEqualTo("Hi!");
        }
    }

    @Test
    void unknownToolsAndBadArgumentsBecomeToolResultsTheModelCanReadOn() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "go"));
            LlmMessage calls = LlmMessage.assistant(null, List.of(
                    new ToolCall("c1", "teleport", "{}"),
                    new ToolCall("c2", "bash", "{\"command\": "),
                    new ToolCall("c3", "read_file", "{\"path\": \"/etc/passwd\"}")));
            host.answer(calls, Usage.NONE);
            for (int i = 0; i < 3; i++) {
                host.expect(AgentMessage.Event.class);
                assertThat(host.expect(AgentMessage.Event.class).ok()).isFalse();
            }
            AgentMessage.LlmRequest second = host.answer(text("sorry"), Usage.NONE);
            assertThat(toolResults(second)).extracting(LlmMessage::text).satisfiesExactly(
                    t -> assertThat(t).startsWith("there is no tool named \"teleport\"; the tools are: bash, read_file"),
                    t -> assertThat(t).startsWith("the arguments for bash are not valid JSON"),
                    t -> assertThat(t).startsWith("path /etc/passwd is outside"));
            assertThat(host.expect(AgentMessage.TurnDone.class).reply()).isEqualTo("sorry");
        }
    }

    @Test
    void theStepLimitEndsALoopingTurn() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "loop", new ToolSettings(10_000, 30_000, 2)));
            for (int step = 0; step < 2; step++) {
                host.answer(toolCall("c" + step, "bash", "{\"command\": \"true\"}"), new Usage(1, 1));
                host.expect(AgentMessage.Event.class);
                host.expect(AgentMessage.Event.class);
            }
            AgentMessage.TurnDone done = host.expect(AgentMessage.TurnDone.class);
            assertThat(done.reply()).contains("I stopped after 2 steps, the limit for one turn");
            assertThat(done.usage()).isEqualTo(new Usage(2, 2));
        }
    }

    @Test
    void sendMessageIsAHostCallAndItsAnswerGoesBackToTheModel() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "work long"));
            host.answer(toolCall("c1", "send_message", "{\"text\": \"on it\"}"), Usage.NONE);
            host.expect(AgentMessage.Event.class);
            AgentMessage.HostCall call = host.expect(AgentMessage.HostCall.class);
            assertThat(call.turnId()).isEqualTo("t1");
            assertThat(call.method()).isEqualTo("send_message");
            assertThat(call.args()).containsEntry("text", "on it");
            host.send(HostMessage.HostResult.ok(call.id(), "delivered"));
            assertThat(host.expect(AgentMessage.Event.class).ok()).isTrue();

            host.answer(toolCall("c2", "send_message", "{\"text\": \"again\"}"), Usage.NONE);
            host.expect(AgentMessage.Event.class);
            AgentMessage.HostCall refused = host.expect(AgentMessage.HostCall.class);
            host.send(HostMessage.HostResult.failed(refused.id(), "rate limited"));
            assertThat(host.expect(AgentMessage.Event.class).ok()).isFalse();

            AgentMessage.LlmRequest last = host.answer(text("done"), Usage.NONE);
            assertThat(toolResults(last)).extracting(LlmMessage::text).containsExactly("sent", "not sent: rate limited");
            host.expect(AgentMessage.TurnDone.class);
        }
    }

    @Test
    void sendFileAsksTheHostWithTheFilesWorkspacePath() throws Exception {
        java.nio.file.Files.createDirectories(root.resolve("group"));
        java.nio.file.Files.writeString(root.resolve("group").resolve("report.csv"), "a,b\n");
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "send the report"));
            host.answer(toolCall("c1", "send_file", "{\"path\": \"report.csv\", \"caption\": \"here\"}"), Usage.NONE);
            host.expect(AgentMessage.Event.class);
            AgentMessage.HostCall call = host.expect(AgentMessage.HostCall.class);
            assertThat(call.method()).isEqualTo("send_file");
            assertThat(call.args()).containsEntry("path", root.resolve("group/report.csv").toString())
                    .containsEntry("caption", "here");
            host.send(HostMessage.HostResult.ok(call.id(), "sent report.csv (4 bytes)"));
            host.expect(AgentMessage.Event.class);

            host.answer(toolCall("c2", "send_file", "{\"path\": \"missing.csv\"}"), Usage.NONE);
            host.expect(AgentMessage.Event.class);
            host.expect(AgentMessage.Event.class); // refused by the agent itself: no host call for a missing file
            AgentMessage.LlmRequest last = host.answer(text("done"), Usage.NONE);
            assertThat(toolResults(last)).extracting(LlmMessage::text).first().isEqualTo("sent report.csv (4 bytes)");
            assertThat(toolResults(last).get(1).text()).contains("missing.csv").contains("not a file");
            host.expect(AgentMessage.TurnDone.class);
        }
    }

    @Test
    void aBadLineIsAnsweredWithAnErrorAndTheAgentCarriesOn() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.sendRaw("this is not json");
            assertThat(host.expect(ProtocolError.class).code()).isEqualTo(ProtocolError.BAD_LINE);
            host.sendRaw("{\"v\":1,\"type\":\"launch.rockets\"}");
            assertThat(host.expect(ProtocolError.class).code()).isEqualTo(ProtocolError.UNKNOWN_TYPE);

            host.send(turn("t1", "ann", "still there?"));
            AgentMessage.LlmRequest request = host.expect(AgentMessage.LlmRequest.class);
            host.sendRaw("{\"v\":1,\"type\":\"llm.response\"");
            assertThat(host.expect(ProtocolError.class).code()).isEqualTo(ProtocolError.BAD_LINE);
            host.send(new HostMessage.LlmResponse(request.id(), text("yes"), Usage.NONE, "end_turn"));
            assertThat(host.expect(AgentMessage.TurnDone.class).reply()).isEqualTo("yes");
        }
    }

    @Test
    void shutdownEndsTheAgent() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(new HostMessage.Shutdown("idle"));
            assertThat(host.awaitExit()).isTrue();
        }
    }

    @Test
    void theEndOfStdinEndsTheAgentEvenMidTurn() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "hi"));
            host.expect(AgentMessage.LlmRequest.class);
            host.endInput();
            assertThat(host.awaitExit()).isTrue();
        }
    }

    /** One turn in an agent that then ends: ann asks it to remember 42, which its session file now holds. */
    private void rememberFortyTwoInAnAgentOfItsOwn() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "remember the number 42"));
            host.answer(text("Noted: 42."), Usage.NONE);
            host.expect(AgentMessage.TurnDone.class);
        }
    }

    @Test
    void theConversationContinuesInANewAgent() throws Exception {
        rememberFortyTwoInAnAgentOfItsOwn();
        assertThat(root.resolve("group/.claw4j/session.jsonl")).exists();

        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t2", "ann", "what was the number?"));
            AgentMessage.LlmRequest request = host.answer(text("42"), Usage.NONE);
            assertThat(request.messages()).containsExactly(LlmMessage.user("ann: remember the number 42"),
                    text("Noted: 42."), LlmMessage.user("ann: what was the number?"));
            host.expect(AgentMessage.TurnDone.class);
        }
    }

    @Test
    void theFirstTurnOfANewSessionForgetsTheStoredConversationAndSavesItsOwn() throws Exception {
        rememberFortyTwoInAnAgentOfItsOwn();
        // a /reset the host could not carry out in the folder itself (it does not see it): the file is still there
        assertThat(root.resolve("group/.claw4j/session.jsonl")).content().contains("42");

        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(new HostMessage.TurnStart("t2", "g1", "sys", List.of(new ChatMessage("ann", "hello again", null)),
                    ToolSettings.DEFAULTS, null, true));
            AgentMessage.LlmRequest first = host.answer(text("Hello!"), Usage.NONE);
            assertThat(first.messages()).containsExactly(LlmMessage.user("ann: hello again"));
            host.expect(AgentMessage.TurnDone.class);

            host.send(turn("t3", "ann", "what was the number?"));
            AgentMessage.LlmRequest next = host.answer(text("What number?"), Usage.NONE);
            assertThat(next.messages()).as("the new session was saved, the old one is gone").containsExactly(
                    LlmMessage.user("ann: hello again"), text("Hello!"), LlmMessage.user("ann: what was the number?"));
            host.expect(AgentMessage.TurnDone.class);
        }
        assertThat(root.resolve("group/.claw4j/session.jsonl")).content().doesNotContain("42");
    }

    @Test
    void aFreshScheduledRunStartsFromNothingAndLeavesTheChatsConversationAlone() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "remember the number 42"));
            host.answer(text("Noted: 42."), Usage.NONE);
            host.expect(AgentMessage.TurnDone.class);

            host.send(new HostMessage.TurnStart("t2", "g1", "sys",
                    List.of(new ChatMessage("scheduled task #1", "stretch", null)), ToolSettings.DEFAULTS, true));
            AgentMessage.LlmRequest fresh = host.answer(text("Time to stretch!"), Usage.NONE);
            assertThat(fresh.messages()).containsExactly(LlmMessage.user("scheduled task #1: stretch"));
            assertThat(host.expect(AgentMessage.TurnDone.class).reply()).isEqualTo("Time to stretch!");

            host.send(turn("t3", "ann", "what was the number?"));
            AgentMessage.LlmRequest next = host.answer(text("42"), Usage.NONE);
            assertThat(next.messages()).containsExactly(LlmMessage.user("ann: remember the number 42"),
                    text("Noted: 42."), LlmMessage.user("ann: what was the number?"));
            host.expect(AgentMessage.TurnDone.class);
        }
    }

    @Test
    void scheduleTaskPassesItsArgumentsToTheHost() throws Exception {
        try (ScriptedHost host = new ScriptedHost(root)) {
            host.expect(AgentMessage.Ready.class);
            host.send(turn("t1", "ann", "remind me every day at 9:00 to stretch"));
            host.answer(toolCall("c1", "schedule_task",
                    "{\"prompt\": \"remind ann to stretch\", \"cron\": \"0 9 * * *\", \"timezone\": \"Europe/Berlin\"}"),
                    Usage.NONE);
            host.expect(AgentMessage.Event.class);
            AgentMessage.HostCall call = host.expect(AgentMessage.HostCall.class);
            assertThat(call.method()).isEqualTo("schedule_task");
            assertThat(call.args()).containsExactlyInAnyOrderEntriesOf(java.util.Map.of("prompt", "remind ann to stretch",
                    "cron", "0 9 * * *", "timezone", "Europe/Berlin"));
            host.send(HostMessage.HostResult.ok(call.id(), "scheduled task #1"));
            host.expect(AgentMessage.Event.class);
            AgentMessage.LlmRequest last = host.answer(text("Done."), Usage.NONE);
            assertThat(toolResults(last)).extracting(LlmMessage::text).containsExactly("scheduled task #1");
            host.expect(AgentMessage.TurnDone.class);
        }
    }
}
