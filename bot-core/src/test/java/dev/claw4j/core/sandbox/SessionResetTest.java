package dev.claw4j.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.Usage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * /reset reaches the agent too: the first turn of a session tells it to forget its stored conversation, because
 * where its folder is a volume the host does not see (Kubernetes), deleting the session file on the host does
 * nothing. Later turns of the session do not.
 */
@Timeout(60)
class SessionResetTest {
    private static final Pattern TURN_ID = Pattern.compile("\"turnId\":\"([^\"]+)\"");

    @TempDir
    Path data;

    @Test
    void theFirstTurnOfEachSessionStartsItAnewInTheAgent() throws Exception {
        List<String> starts = new CopyOnWriteArrayList<>();
        FakeRuntime runtime = new FakeRuntime(agent -> {
            for (String line; (line = agent.readLine()) != null; ) {
                if (line.contains("\"turn.start\"")) {
                    starts.add(line);
                    Matcher id = TURN_ID.matcher(line);
                    assertThat(id.find()).isTrue();
                    agent.writeLine(JsonLines.encode(new AgentMessage.TurnDone(id.group(1), "ok", new Usage(0, 0))));
                }
            }
        }, false);
        Files.createDirectories(data.resolve("groups"));
        try (TurnRig rig = new TurnRig(runtime, data, new IncomingFiles(data), Metrics.none())) {
            rig.store.groups().bindNewGroup("web:chat:c1", "g1");
            for (String text : List.of("first", "second")) {
                rig.message(text, List.of());
                rig.turns.runTurn("g1", TurnRig.PLAIN);
            }
            rig.store.sessions().sessionReset("g1");
            rig.message("after the reset", List.of());
            rig.turns.runTurn("g1", TurnRig.PLAIN);
            rig.message("and on", List.of());
            rig.turns.runTurn("g1", TurnRig.PLAIN);
        }
        assertThat(starts).hasSize(4);
        assertThat(starts).extracting(s -> s.contains("\"newSession\":true"))
                .as("new group, its next turn, after /reset, its next turn").containsExactly(true, false, true, false);
    }
}
