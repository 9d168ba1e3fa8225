package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.Config;
import dev.claw4j.core.store.AuditEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When a turn goes wrong, the person is told in plain words, and the host and the group carry on. */
class TurnFailuresIT {
    @TempDir
    Path data;

    @Test
    void aTurnPastTurnTimeoutIsStoppedAndThePersonIsTold() throws Exception {
        try (RunningHost host = new RunningHost(data, 2, "1m", "6s")) {
            host.chat.post("dm-slow", "sam", "run: sleep 60");
            List<JsonNode> replies = host.chat.awaitReplies("dm-slow", 1, Duration.ofSeconds(60));
            assertThat(replies.getFirst().get("text").asText()).contains("took longer than 6 s");
            assertThat(host.chat.messages("dm-slow").getFirst().get("status").asText()).isEqualTo("FAILED");

            host.chat.post("dm-slow", "sam", "run: echo still-here");
            assertThat(host.chat.awaitReplies("dm-slow", 2, Duration.ofSeconds(60)).get(1).get("text").asText())
                    .contains("still-here");
        }
    }

    @Test
    void aSandboxThatDiesMidTurnIsRestartedOnceThenThePersonIsTold() throws Exception {
        try (RunningHost host = new RunningHost(data, 2, "1m")) {
            // the agent runner is bash's parent: killing it ends the sandbox in the middle of the turn
            host.chat.post("dm-crash", "cat", "run: kill -9 $PPID");
            List<JsonNode> replies = host.chat.awaitReplies("dm-crash", 1, Duration.ofSeconds(90));
            assertThat(replies.getFirst().get("text").asText()).contains("stopped unexpectedly");
            String group = host.claw4j.store().groups().groupForBinding("web:chat:dm-crash").orElseThrow();
            assertThat(host.claw4j.store().audit().auditTrail(group)).filteredOn(e -> e.kind().equals("sandbox.crashed"))
                    .hasSize(2);

            host.chat.post("dm-crash", "cat", "run: echo recovered");
            assertThat(host.chat.awaitReplies("dm-crash", 2, Duration.ofSeconds(60)).get(1).get("text").asText())
                    .contains("recovered");
        }
    }

    @Test
    void aGroupPastItsDailyBudgetIsToldOnceAndNoFurtherModelCallGoesOut() throws Exception {
        // model.dailyTokenBudget is the deprecated name of budgets.default.dailyTokens (BudgetsIT has the rest)
        try (RunningHost host = new RunningHost(data, config -> config.withModel(
                new Config.Model(null, null, null, null, null, null, null, 50L)), List.of())) {
            host.chat.post("dm-spender", "sue", "hello there");
            List<JsonNode> replies = host.chat.awaitReplies("dm-spender", 2, Duration.ofSeconds(90));
            assertThat(replies.get(0).get("text").asText()).isNotBlank();
            // the one call used more than 50 tokens: the chat is told after the turn
            assertThat(replies.get(1).get("text").asText()).contains("budget of 50 tokens");
            int callsBefore = host.model.requestCount();
            host.chat.post("dm-spender", "sue", "and again, with many more words to spend the budget on");
            host.chat.post("dm-spender", "sue", "one more?");
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (host.chat.messages("dm-spender").stream().filter(m -> m.get("direction").asText().equals("in"))
                    .filter(m -> m.get("status").asText().equals("OVER_BUDGET")).count() < 2) {
                assertThat(System.nanoTime()).as("both kept as OVER_BUDGET").isLessThan(end);
                Thread.sleep(100);
            }
            Thread.sleep(1000);
            assertThat(host.chat.replies("dm-spender")).as("told once").hasSize(2);
            assertThat(host.model.requestCount()).as("no call goes out past the budget").isEqualTo(callsBefore);
            String group = host.claw4j.store().groups().groupForBinding("web:chat:dm-spender").orElseThrow();
            assertThat(host.claw4j.store().audit().auditTrail(group)).anyMatch(e -> e.kind().equals("budget.exceeded"));
        }
    }

    @Test
    void theGroupsMemoryFileReachesTheModelButASymlinkedOneDoesNot() throws Exception {
        try (RunningHost host = new RunningHost(data, 2, "1m")) {
            // the marker is assembled by printf, so only the file (not the command) contains it
            host.chat.post("dm-mem", "meg", "run: printf 'Meg likes tea. MEM%sMARK' ORY- >> AGENT.md && echo noted");
            assertThat(host.chat.awaitReplies("dm-mem", 1, Duration.ofSeconds(90)).getFirst().get("text").asText())
                    .contains("noted").contains("exit code: 0");
            host.chat.post("dm-mem", "meg", "/reset");
            host.chat.awaitReplies("dm-mem", 2, Duration.ofSeconds(60));
            host.chat.post("dm-mem", "meg", "what do I like?");
            host.chat.awaitReplies("dm-mem", 3, Duration.ofSeconds(60));
            // a fresh session, yet the memory is in the instructions the model gets
            JsonNode system = host.model.requests().getLast().get("messages").get(0);
            assertThat(system.get("role").asText()).isEqualTo("system");
            assertThat(system.get("content").asText()).contains("Your memory").contains("MEMORY-MARK");

            // an agent that swaps its memory for a link to a host file must not get that file into its prompt
            Path hostSecret = data.resolve("host-secret.txt");
            Files.writeString(hostSecret, "HOST-SECRET-99");
            host.chat.post("dm-mem", "meg", "run: rm AGENT.md && ln -s " + hostSecret + " AGENT.md && echo linked");
            host.chat.awaitReplies("dm-mem", 4, Duration.ofSeconds(60));
            host.chat.post("dm-mem", "meg", "and now?");
            host.chat.awaitReplies("dm-mem", 5, Duration.ofSeconds(60));
            assertThat(host.model.rawRequests()).noneMatch(r -> r.contains("HOST-SECRET-99"));
            List<AuditEvent> trail = host.claw4j.store().audit().auditTrail(
                    host.claw4j.store().groups().groupForBinding("web:chat:dm-mem").orElseThrow());
            assertThat(trail).anyMatch(e -> e.kind().equals("model.call"));
        }
    }
}
