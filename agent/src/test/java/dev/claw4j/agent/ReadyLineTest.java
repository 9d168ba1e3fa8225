package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.JsonLines;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReadyLineTest {
    @Test
    void theHandWrittenLineIsWhatTheCodecWrites() {
        AgentMessage.Ready ready = new AgentMessage.Ready("0.1.0-SNAPSHOT", Toolbox.standard().names());
        assertThat(ReadyLine.encode(ready)).isEqualTo(JsonLines.encode(ready));
    }

    @Test
    void oddCharactersAreEscapedSoTheHostDecodesTheSameMessage() {
        AgentMessage.Ready ready = new AgentMessage.Ready("1.0 \"q\" \\ \n\t ✓", List.of("a\u0001b"));
        assertThat(JsonLines.decodeFromAgent(ReadyLine.encode(ready))).isEqualTo(new Decoded.Ok<>(ready));
    }
}
