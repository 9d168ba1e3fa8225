package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.app.Config;
import dev.claw4j.app.admin.AdminClient;
import dev.claw4j.app.admin.TasksApi;
import dev.claw4j.core.task.Task;
import dev.claw4j.core.task.TaskRun;
import dev.claw4j.core.task.Tasks;
import dev.claw4j.telegram.FakeBotApi;
import dev.claw4j.telegram.TelegramConnector;
import dev.claw4j.telegram.TelegramSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scheduled tasks end to end: the real host with real gVisor sandboxes and the scripted model, reached through the
 * real Telegram connector against the wire-level fake Bot API. The host's task clock is moved to just before 9:00
 * UTC (a clock set ahead, passed to the host), so "every day at 9:00" comes due within seconds.
 */
class ScheduledTasksIT {
    private static final Duration TURN = Duration.ofSeconds(90);

    @TempDir
    Path data;

    FakeBotApi telegram;

    @BeforeEach
    void fake() throws Exception {
        telegram = new FakeBotApi();
    }

    @AfterEach
    void stop() {
        telegram.close();
    }

    private List<String> replies(String chatId) {
        return telegram.sentTo(chatId).stream().map(c -> FakeBotApi.visibleText(c.param("text"))).toList();
    }

    private List<String> awaitReplies(String chatId, int n) {
        await().atMost(TURN).until(() -> replies(chatId).size() >= n);
        return replies(chatId);
    }

    @Test
    void remindMeEveryDayAtNineArrivesOnceInThatChatAndChecksDecideWhetherTheModelIsCalled() throws Exception {
        // the host's task clock stands at 08:59:15 UTC when it starts
        Instant now = Instant.now();
        Instant nineSoon = LocalDate.now(ZoneOffset.UTC).atTime(8, 59, 15).toInstant(ZoneOffset.UTC);
        Clock ahead = Clock.offset(Clock.systemUTC(), Duration.between(now, nineSoon));
        RunningHost host = new RunningHost(data, config -> config.withBinding(new Config.Binding("per-chat"))
                .withSandbox(new Config.Sandbox("runsc", true, null, null, null, null, null, "2m", "1m", 4)),
                List.of(new TelegramConnector(TelegramSettings.polling(FakeBotApi.TOKEN, telegram.url(),
                        data.resolve("telegram")).withPollTimeout(Duration.ofSeconds(5)))), ahead);
        try (host) {
            telegram.send(telegram.dm(3001, "Ann", "remind me every day at 9:00 to stretch"));
            assertThat(awaitReplies("3001", 1).getFirst()).contains("scheduled task #1").contains("cron 0 9 * * * (UTC)");

            // the task exists: in /tasks in that chat and for the operator (./claw4j tasks list's endpoint)
            telegram.send(telegram.dm(3001, "Ann", "/tasks"));
            assertThat(awaitReplies("3001", 2).get(1)).contains("#1 active").contains("cron 0 9 * * * (UTC)")
                    .contains("stretch");
            List<TasksApi.TaskLine> listed = AdminClient.ifRunning(data).orElseThrow().tasks();
            assertThat(listed).singleElement().satisfies(t -> {
                assertThat(t.platform()).isEqualTo("telegram");
                assertThat(t.chatId()).isEqualTo("3001");
                assertThat(t.nextDue()).endsWith("T09:00:00Z");
            });

            // the clock reaches 9:00: one message in that chat, and only one
            List<String> replies = awaitReplies("3001", 3);
            assertThat(replies.get(2)).isEqualTo("Reminder (task #1): stretch");
            Thread.sleep(4000);
            assertThat(replies("3001")).hasSize(3);
            Task task = host.claw4j.tasks().store().get(1).orElseThrow();
            assertThat(task.nextDue()).isAfter(Instant.parse(listed.getFirst().nextDue()));
            TaskRun run = host.claw4j.tasks().store().runs(1, 5).getFirst();
            assertThat(run.outcome()).isEqualTo(TaskRun.OK);
            assertThat(run.tokens()).isPositive(); // counted like any turn's model calls

            // a check that says "no wake": the model is not called at all
            String group = task.groupId();
            Tasks.Origin origin = new Tasks.Origin(group, "telegram", "3001", null, "test");
            Task quiet = host.claw4j.tasks().schedule(origin, new Tasks.Request("QUIET-POLL", null, null, "1m", null,
                    null, "echo '{\"wake\": false, \"data\": 1}'", null));
            int modelCalls = host.model.requestCount();
            host.claw4j.tasks().runNow(quiet.id());
            await().atMost(TURN).until(() -> outcomes(host, quiet.id()).containsKey(TaskRun.NO_WAKE));
            assertThat(host.model.requestCount()).isEqualTo(modelCalls);
            assertThat(replies("3001")).hasSize(3);

            // a check that says "wake": its data goes to the model with the prompt
            Task loud = host.claw4j.tasks().schedule(origin, new Tasks.Request("LOUD-POLL", null, null, "1m", null,
                    null, "echo '{\"wake\": true, \"data\": {\"new\": \"ITEM-42\"}}'", null));
            host.claw4j.tasks().runNow(loud.id());
            await().atMost(TURN).until(() -> outcomes(host, loud.id()).containsKey(TaskRun.OK));
            assertThat(host.model.rawRequests().getLast()).contains("ITEM-42").contains("LOUD-POLL");
            assertThat(awaitReplies("3001", 4).get(3)).isEqualTo("Reminder (task #" + loud.id() + "): LOUD-POLL");

            // a check whose output is not the JSON it must print: a failed run, no model call, backoff
            Task broken = host.claw4j.tasks().schedule(origin, new Tasks.Request("BROKEN-POLL", null, null, "1m",
                    null, null, "echo 'wake: true'", null));
            modelCalls = host.model.requestCount();
            host.claw4j.tasks().runNow(broken.id());
            await().atMost(TURN).until(() -> outcomes(host, broken.id()).containsKey(TaskRun.FAILED));
            assertThat(host.model.requestCount()).isEqualTo(modelCalls);
            assertThat(host.claw4j.tasks().store().get(broken.id()).orElseThrow().failures()).isEqualTo(1);
        }
    }

    private static Map<String, Integer> outcomes(RunningHost host, long taskId) {
        return host.claw4j.tasks().store().outcomes(taskId);
    }
}
