package dev.claw4j.core.cluster;

import dev.claw4j.core.sandbox.FakeRuntime;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.ChatMessage;
import dev.claw4j.protocol.Decoded;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.JsonLines;
import dev.claw4j.protocol.Usage;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The agent in every sandbox of a {@link FakeRuntime}: for every {@code turn.start} it answers {@code turn.done}
 * with "re: " and the texts of the turn's messages joined by " | ". {@link #hold()} makes every agent wait before
 * answering (a turn in progress) until {@link #release()}; {@link #freeze()} makes them never answer again (a dead
 * host's sandboxes).
 */
final class EchoAgent implements FakeRuntime.Script {
    private volatile CountDownLatch gate = new CountDownLatch(0);
    private volatile boolean frozen;
    private final CountDownLatch waiting = new CountDownLatch(1);

    void hold() {
        gate = new CountDownLatch(1);
    }

    void release() {
        gate.countDown();
    }

    void freeze() {
        frozen = true;
    }

    /** Waits until an agent has a turn and is held at the gate. */
    boolean awaitHeldTurn(Duration timeout) throws InterruptedException {
        return waiting.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run(FakeRuntime.FakeSandbox agent) throws Exception {
        for (String line; (line = agent.readLine()) != null; ) {
            if (JsonLines.decodeFromHost(line) instanceof Decoded.Ok<HostMessage> ok
                    && ok.message() instanceof HostMessage.TurnStart start) {
                CountDownLatch g = gate;
                if (g.getCount() > 0) {
                    waiting.countDown();
                }
                g.await();
                while (frozen) {
                    Thread.sleep(Long.MAX_VALUE);
                }
                Thread.sleep(10); // a little work
                agent.writeLine(JsonLines.encode(new AgentMessage.TurnDone(start.turnId(), "re: " + start.messages()
                        .stream().map(ChatMessage::text).collect(Collectors.joining(" | ")), new Usage(1, 1))));
            }
        }
    }
}
