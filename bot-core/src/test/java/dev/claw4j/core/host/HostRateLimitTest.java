package dev.claw4j.core.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.model.ChatKind;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.ratelimit.RateLimiter;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Over a rate limit a message is kept (RATE_LIMITED), never queued, and the person told once a minute. */
@OnBothDatabases
class HostRateLimitTest {
    private final TestDatabase database;

    HostRateLimitTest(TestDatabase database) {
        this.database = database;
    }

    @TempDir
    Path data;

    private HostRig rig;
    private final List<String> turns = new CopyOnWriteArrayList<>();
    private final List<String> delivered = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        Store opened = database.open();
        rig = new HostRig(opened, data, AccessPolicy.open(), HostRig.web(delivered), HostRig.noting(opened, turns),
                Metrics.none(), new RateLimiter(new RateLimiter.Settings(2, 0), Clock.systemUTC()));
    }

    @AfterEach
    void tearDown() {
        rig.close();
    }

    @Test
    void aMessageOverTheLimitIsKeptMarkedAndAnsweredWithOneNotice() throws Exception {
        send("dm-ana", "one");
        send("dm-ana", "two");
        send("dm-ana", "three");
        send("dm-ana", "four");
        await(() -> delivered.size() == 1);
        await(() -> turns.size() == 2);
        Thread.sleep(300);
        String group = rig.store.groups().groupForBinding("web:chat:dm-ana").orElseThrow();
        assertThat(turns).as("only the first two reach a turn").containsExactly(group + " one", group + " two");
        assertThat(delivered).singleElement().asString().contains("faster than I take them");
        assertThat(rig.store.messages().history("web", "dm-ana")).filteredOn(l -> l.direction().equals("in"))
                .extracting(l -> l.text() + " " + l.status())
                .containsExactly("one DONE", "two DONE", "three RATE_LIMITED", "four RATE_LIMITED");
        assertThat(rig.store.audit().auditTrail(group)).filteredOn(e -> e.kind().equals("rate.limited")).hasSize(1);
        assertThat(rig.store.messages().pendingFor(group)).as("nothing left waiting for a turn").isEmpty();
    }

    private void send(String chat, String text) {
        rig.host.receive(new InboundMessage("web", chat, null, "web:ana", "ana", text, UUID.randomUUID().toString(),
                ChatKind.DIRECT, false, Instant.now()));
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
