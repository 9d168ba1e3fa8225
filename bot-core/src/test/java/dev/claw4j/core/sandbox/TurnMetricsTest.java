package dev.claw4j.core.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.Usage;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a turn counts: itself (timed, by outcome) and the host calls it refused. In this package for the fake
 * runtime, whose agent here writes a host call naming another turn, then its reply.
 */
class TurnMetricsTest {
    @TempDir
    Path data;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void aTurnIsTimedAndAHostCallForAnotherTurnIsCountedAsRefused() {
        Metrics metrics = new Metrics(registry);
        try (var rig = new TurnRig(new FakeRuntime(agent -> {
            agent.writeLine(JsonLines.encode(new AgentMessage.HostCall("c1", "not-this-turn", "send_message",
                    Map.of("text", "hi from elsewhere"))));
            agent.writeLine(JsonLines.encode(new AgentMessage.TurnDone("t", "done", new Usage(0, 0))));
            Thread.sleep(Long.MAX_VALUE);
        }), data, new IncomingFiles(data), metrics)) {
            rig.message("hello", List.of());
            rig.turns.runTurn("g1", TurnRig.PLAIN);

            assertThat(rig.store.audit().auditByKind("host.call.refused"))
                    .as("the forged call really came and was refused")
                    .singleElement().satisfies(e -> assertThat(e.detail()).contains("not-this-turn"));
        }
        assertThat(registry.get("claw4j.refusals").tag("kind", "host.call.refused").counter().count()).isEqualTo(1);
        assertThat(registry.get("claw4j.turn.duration").tag("outcome", "ok").timer().count()).isEqualTo(1);
    }
}
