package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.protocol.LlmMessage;
import dev.claw4j.protocol.ToolCall;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionStoreTest {
    @TempDir
    Path group;

    @Test
    void aSavedConversationLoadsBackTheSame() {
        ToolCall call = new ToolCall("c1", "bash", "{\"command\":\"ls\"}");
        List<LlmMessage> conversation = List.of(LlmMessage.user("ann: hi \"there\"\nsecond line"),
                LlmMessage.assistant(null, List.of(call)), LlmMessage.toolResult(call, "a.txt\nexit code: 0"),
                LlmMessage.assistant("done ✓", List.of()));
        SessionStore store = new SessionStore(group);
        store.save(conversation);
        assertThat(store.file()).isEqualTo(group.resolve(".claw4j/session.jsonl"));
        assertThat(new SessionStore(group).load()).isEqualTo(conversation);
        assertThat(group.resolve(".claw4j/session.jsonl.tmp")).doesNotExist();
    }

    @Test
    void noFileMeansAFreshConversation() {
        assertThat(new SessionStore(group).load()).isEmpty();
    }

    @Test
    void aCorruptFileIsSetAsideAndTheConversationStartsFresh() throws Exception {
        SessionStore store = new SessionStore(group);
        Files.createDirectories(store.file().getParent());
        Files.writeString(store.file(), "{\"role\":\"user\",\"text\":\"ok\"}\n{not json\n");
        assertThat(store.load()).isEmpty();
        assertThat(store.file().resolveSibling("session.jsonl.corrupt")).exists();
        store.save(List.of(LlmMessage.user("again")));
        assertThat(store.load()).containsExactly(LlmMessage.user("again"));
    }

    @Test
    void onlyTheRecentPartIsKeptAndItStartsAtAUserMessage() {
        ToolCall call = new ToolCall("c", "bash", "{}");
        List<LlmMessage> long_ = new ArrayList<>();
        for (int i = 0; i < SessionStore.MAX_MESSAGES; i++) {
            long_.add(LlmMessage.user("u" + i));
            long_.add(LlmMessage.assistant(null, List.of(call)));
            long_.add(LlmMessage.toolResult(call, "r" + i));
        }
        List<LlmMessage> recent = SessionStore.recent(long_, SessionStore.MAX_MESSAGES);
        assertThat(recent.size()).isLessThanOrEqualTo(SessionStore.MAX_MESSAGES);
        assertThat(recent.getFirst().role()).isEqualTo(LlmMessage.USER);
        assertThat(recent.getLast()).isEqualTo(long_.getLast());

        SessionStore store = new SessionStore(group);
        store.save(long_);
        assertThat(store.load()).isEqualTo(recent);
    }
}
