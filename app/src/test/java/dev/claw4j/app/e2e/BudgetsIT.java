package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.Config;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.task.Task;
import dev.claw4j.core.task.TaskRun;
import dev.claw4j.core.task.Tasks;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Budgets and rate limits end to end: the real host, real gVisor sandboxes with the real agent, and the scripted
 * model on loopback, whose request count shows whether a model call went out.
 */
class BudgetsIT {
    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path data;

    private static Config.Budgets dailyTokens(long limit) {
        return new Config.Budgets(new Config.BudgetLimits(limit, null, null, null), null, null);
    }

    @Test
    void aToolLoopStopsAtTheLimitNoFurtherCallGoesOutAndThePersonIsToldOnce() throws Exception {
        try (RunningHost host = new RunningHost(data, config -> config.withBudgets(dailyTokens(50)), List.of())) {
            // one model call (far over 50 tokens) asks for bash; the call after the tool's result must not go out
            host.chat.post("dm-loop", "lou", "run: echo ran > ran.txt && echo LOOP-DONE");
            String told = host.chat.awaitReplies("dm-loop", 1, WAIT).getFirst().get("text").asText();
            String group = host.claw4j.store().groups().groupForBinding("web:chat:dm-loop").orElseThrow();
            assertThat(data.resolve("groups").resolve(group).resolve("ran.txt")).as("the tool loop was under way")
                    .exists();
            assertThat(told).contains("daily budget of 50 tokens").contains("resets at 00:00 UTC")
                    .contains("budgets.default.dailyTokens");
            assertThat(host.model.requestCount()).as("only the first call of the loop went out").isEqualTo(1);
            assertThat(host.claw4j.store().audit().auditTrail(group))
                    .anyMatch(e -> e.kind().equals("budget.exceeded") && e.detail().contains("mid-turn"));

            // past the limit: kept, not answered, no sandbox turn, no model call, no second notice
            long second = host.chat.post("dm-loop", "lou", "are you there?");
            long third = host.chat.post("dm-loop", "lou", "hello??");
            awaitStatus(host, "dm-loop", List.of(second, third), "OVER_BUDGET");
            Thread.sleep(1000); // a second notice would be stored with the status; give it time to show anyway
            assertThat(host.chat.replies("dm-loop")).as("told once").hasSize(1);
            assertThat(host.model.requestCount()).isEqualTo(1);

            // an operator raises it (what the admin console calls): the group is answered again
            host.claw4j.budgets().setOverride(group, new Limits(10_000_000L, null, null, null), "BudgetsIT");
            host.chat.post("dm-loop", "lou", "run: echo BACK-$((40+2))");
            assertThat(host.chat.awaitReplies("dm-loop", 2, WAIT).get(1).get("text").asText()).contains("BACK-42");
            assertThat(host.model.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void eightyPercentIsToldOnceAndUsageShowsTokensAndCostAgainstTheLimits() throws Exception {
        try (RunningHost host = new RunningHost(data, config -> config
                .withModel(new Config.Model(null, null, null, null, null, null, null, null,
                        Map.of("claw4j-demo", new Config.ModelPrice(new BigDecimal("3.00"), new BigDecimal("15.00"))),
                        "EUR"))
                .withBudgets(new Config.Budgets(new Config.BudgetLimits(null, null, null, new BigDecimal("100")),
                        null, null)), List.of())) {
            host.chat.post("dm-warn", "wes", "hello");
            host.chat.awaitReplies("dm-warn", 1, WAIT);
            String group = host.claw4j.store().groups().groupForBinding("web:chat:dm-warn").orElseThrow();
            long used = host.claw4j.budgets().usage(group).tokensToday();
            assertThat(used).isPositive();
            assertThat(host.claw4j.budgets().usage(group).costToday()).isPositive();

            // an operator sets a daily limit the group has used 85 % of
            long limit = used * 100 / 85;
            host.claw4j.budgets().setOverride(group, new Limits(limit, null, null, new BigDecimal("100")), "BudgetsIT");
            host.chat.post("dm-warn", "wes", "/usage");
            String usage = host.chat.awaitReplies("dm-warn", 2, WAIT).get(1).get("text").asText();
            assertThat(usage).contains("today: " + String.format(java.util.Locale.ENGLISH, "%,d", used) + " tokens of "
                    + String.format(java.util.Locale.ENGLISH, "%,d", limit) + " tokens (85 %)")
                    .contains("EUR (no limit)").contains("EUR of 100.00 EUR (0 %)").contains("this month: ")
                    .contains("days and months in UTC");
            assertThat(host.model.requestCount()).as("/usage is the host's own answer").isEqualTo(1);

            // the next message is warned about before its turn; its turn then uses the rest, which is told once
            host.chat.post("dm-warn", "wes", "hello again");
            List<JsonNode> replies = host.chat.awaitReplies("dm-warn", 5, WAIT);
            assertThat(replies.get(2).get("text").asText()).startsWith("Heads-up").contains("85 %")
                    .contains("daily budget");
            assertThat(replies.get(3).get("text").asText()).contains("scripted demo model");
            assertThat(replies.get(4).get("text").asText()).contains("used its daily budget of");
            long third = host.chat.post("dm-warn", "wes", "still there?");
            awaitStatus(host, "dm-warn", List.of(third), "OVER_BUDGET");
            Thread.sleep(1000);
            assertThat(host.chat.replies("dm-warn")).hasSize(5)
                    .filteredOn(r -> r.get("text").asText().startsWith("Heads-up")).hasSize(1);
            assertThat(host.model.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void aPersonOverTheRateLimitIsKeptAndGetsOneShortNotice() throws Exception {
        try (RunningHost host = new RunningHost(data, config -> config.withLimits(new Config.Limits(2, null)),
                List.of())) {
            List<Long> ids = new java.util.ArrayList<>();
            ids.add(host.chat.post("dm-rate", "ray", "one"));
            host.chat.awaitReplies("dm-rate", 1, WAIT); // its own turn, so "two" cannot join it
            for (String text : List.of("two", "three", "four")) {
                ids.add(host.chat.post("dm-rate", "ray", text));
            }
            awaitStatus(host, "dm-rate", ids.subList(2, 4), "RATE_LIMITED");
            awaitStatus(host, "dm-rate", ids.subList(0, 2), "DONE");
            Thread.sleep(1000);
            List<JsonNode> replies = host.chat.replies("dm-rate");
            assertThat(replies).filteredOn(r -> r.get("text").asText().contains("faster than I take them"))
                    .as("one notice, not one per message").hasSize(1);
            assertThat(replies).hasSize(3);
            assertThat(host.model.requestCount()).as("the limited messages reach no model").isEqualTo(2);
            String group = host.claw4j.store().groups().groupForBinding("web:chat:dm-rate").orElseThrow();
            assertThat(host.claw4j.store().audit().auditTrail(group)).filteredOn(e -> e.kind().equals("rate.limited"))
                    .hasSize(1);
        }
    }

    @Test
    void aScheduledRunPastTheLimitRunsNoCheckCallsNoModelIsNotAFailureAndTheChatIsToldOnce() throws Exception {
        try (RunningHost host = new RunningHost(data, config -> config, List.of())) {
            host.chat.post("dm-task", "tia", "hello");
            host.chat.awaitReplies("dm-task", 1, WAIT);
            String group = host.claw4j.store().groups().groupForBinding("web:chat:dm-task").orElseThrow();
            assertThat(host.model.requestCount()).isEqualTo(1);

            // a task of that chat whose check leaves a mark in the group's folder
            Path mark = data.resolve("groups").resolve(group).resolve("CHECK-RAN");
            Task task = host.claw4j.tasks().schedule(new Tasks.Origin(group, "web", "dm-task", null, "BudgetsIT"),
                    new Tasks.Request("BUDGET-POLL", null, null, "1m", null, null,
                            "touch CHECK-RAN && echo '{\"wake\": true, \"data\": 1}'", null));

            // an operator sets a daily limit the first turn already used up: no turn has seen it yet, so the task's
            // run is the first to find the group over budget, and tells the chat
            host.claw4j.budgets().setOverride(group, new Limits(10L, null, null, null), "BudgetsIT");

            // it comes due twice past the limit: no check, no model call, not a failure, the chat told once
            for (int n = 1; n <= 2; n++) {
                host.claw4j.tasks().runNow(task.id());
                awaitFinishedRuns(host, task.id(), n);
            }
            assertThat(host.claw4j.tasks().store().runs(task.id(), 5)).hasSize(2).allSatisfy(r -> {
                assertThat(r.outcome()).isEqualTo(TaskRun.OVER_BUDGET);
                assertThat(r.tokens()).isZero();
            });
            Task after = host.claw4j.tasks().store().get(task.id()).orElseThrow();
            assertThat(after.failures()).as("over budget is not the task's failure").isZero();
            assertThat(after.status()).isEqualTo(Task.Status.ACTIVE);
            assertThat(mark).as("the check did not run").doesNotExist();
            assertThat(host.model.requestCount()).as("no model call for the runs").isEqualTo(1);
            Thread.sleep(1000); // a second notice would be stored with the run; give it time to show anyway
            List<JsonNode> replies = host.chat.replies("dm-task");
            assertThat(replies).as("told once").hasSize(2);
            assertThat(replies.get(1).get("text").asText()).contains("daily budget of 10 tokens")
                    .contains("resets at 00:00 UTC");
            assertThat(host.claw4j.store().audit().auditTrail(group)).filteredOn(e -> e.kind().equals("task.run")
                    && e.detail().contains(TaskRun.OVER_BUDGET)).hasSize(2);

            // the operator raises it: the next run checks (the mark shows) and calls the model
            host.claw4j.budgets().setOverride(group, new Limits(10_000_000L, null, null, null), "BudgetsIT");
            host.claw4j.tasks().runNow(task.id());
            awaitFinishedRuns(host, task.id(), 3);
            assertThat(host.claw4j.tasks().store().runs(task.id(), 5).getFirst().outcome()).isEqualTo(TaskRun.OK);
            assertThat(mark).exists();
            assertThat(host.model.requestCount()).isEqualTo(2);
            assertThat(host.chat.awaitReplies("dm-task", 3, WAIT).get(2).get("text").asText())
                    .contains("BUDGET-POLL");
        }
    }

    /** Waits until the task has {@code n} runs and none of them is still under way. */
    private static void awaitFinishedRuns(RunningHost host, long taskId, int n) {
        await().atMost(WAIT).alias("task #" + taskId + " has " + n + " finished run(s)").until(() -> {
            List<TaskRun> runs = host.claw4j.tasks().store().runs(taskId, 10);
            return runs.size() == n && runs.stream().noneMatch(r -> r.outcome().equals(TaskRun.CLAIMED));
        });
    }

    private static void awaitStatus(RunningHost host, String chat, List<Long> ids, String status) throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (true) {
            List<JsonNode> messages = host.chat.messages(chat);
            boolean all = ids.stream().allMatch(id -> messages.stream().anyMatch(m ->
                    m.get("id").asLong() == id && m.get("status").asText().equals(status)));
            if (all) {
                return;
            }
            if (System.nanoTime() > end) {
                throw new AssertionError("messages " + ids + " of " + chat + " are not all " + status + ": " + messages);
            }
            Thread.sleep(100);
        }
    }
}
