package dev.claw4j.core.turn.calls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.core.task.Task;
import dev.claw4j.core.task.TaskStore;
import dev.claw4j.core.task.Tasks;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

@OnBothDatabases
class TaskCallsTest {
    private final Store db;
    private final TaskStore store;
    private final Tasks tasks;
    private final List<String> audit = new ArrayList<>();
    private final HostCalls calls;

    TaskCallsTest(TestDatabase database) {
        db = database.open();
        store = new TaskStore(db.dataSource());
        tasks = new Tasks(store, Clock.fixed(Instant.parse("2026-12-01T07:00:00Z"), ZoneOffset.UTC),
                Tasks.Settings.DEFAULTS);
        calls = new HostCalls(TaskCalls.all(tasks));
        db.groups().bindNewGroup("a", "ga");
        db.groups().bindNewGroup("b", "gb");
    }

    @AfterEach
    void close() {
        db.close();
    }

    private CallContext as(String group) {
        return new CallContext(group, "t1", "telegram", "chat-" + group, null,
                (g, kind, detail) -> audit.add(g + " " + kind + " " + detail));
    }

    private HostMessage.HostResult call(String group, String method, Map<String, String> args) {
        return (HostMessage.HostResult) calls.answer(as(group), new AgentMessage.HostCall("1", "t1", method, args));
    }

    @Test
    void scheduleTaskAnswersInTheCallingTurnsChat() {
        HostMessage.HostResult r = call("ga", "schedule_task", Map.of("prompt", "stretch", "cron", "0 9 * * *",
                "timezone", "Europe/Berlin", "chat_id", "someone-elses-chat", "group", "gb"));
        assertThat(r.ok()).as(r.error()).isTrue();
        assertThat(r.result()).startsWith("scheduled task #").contains("first run 2026-12-01T08:00:00Z");
        Task t = tasks.list("ga").getFirst();
        assertThat(t.groupId()).isEqualTo("ga");
        assertThat(t.chatId()).isEqualTo("chat-ga");
        assertThat(t.context()).isEqualTo(Task.Context.FRESH);
        assertThat(audit).anyMatch(a -> a.startsWith("ga task.scheduled"));
    }

    @Test
    void badSchedulesAreRefusedWithWhatToDo() {
        HostMessage.HostResult r = call("ga", "schedule_task", Map.of("prompt", "poll", "every", "1m"));
        assertThat(r.ok()).isFalse();
        assertThat(r.error()).contains("not scheduled").contains("Add a \"check\"");
        assertThat(tasks.list("ga")).isEmpty();
    }

    @Test
    void anotherGroupsTaskCannotBeListedPausedResumedOrCancelledAndTheAttemptIsAudited() {
        assertThat(call("gb", "schedule_task", Map.of("prompt", "secret report", "every", "1d")).ok()).isTrue();
        long theirs = tasks.list("gb").getFirst().id();

        HostMessage.HostResult list = call("ga", "list_tasks", Map.of());
        assertThat(list.result()).isEqualTo("no scheduled tasks").doesNotContain("secret");
        for (String method : List.of("pause_task", "resume_task", "cancel_task")) {
            HostMessage.HostResult r = call("ga", method, Map.of("id", Long.toString(theirs)));
            assertThat(r.ok()).isFalse();
            assertThat(r.error()).isEqualTo("this chat has no task #" + theirs + "; list_tasks shows its tasks");
            assertThat(audit).contains("ga host.call.refused " + method + ": task #" + theirs
                    + " belongs to another group");
        }
        assertThat(store.get(theirs).orElseThrow().status()).isEqualTo(Task.Status.ACTIVE);
        // the owner can
        assertThat(call("gb", "pause_task", Map.of("id", Long.toString(theirs))).ok()).isTrue();
        assertThat(call("gb", "list_tasks", Map.of()).result()).contains("#" + theirs + " paused");
        assertThat(call("gb", "cancel_task", Map.of("id", Long.toString(theirs))).ok()).isTrue();
        assertThat(call("gb", "list_tasks", Map.of()).result()).isEqualTo("no scheduled tasks");
    }
}
