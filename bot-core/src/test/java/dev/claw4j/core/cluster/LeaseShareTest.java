package dev.claw4j.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Four leases (Discord's shards) divided between two hosts on one database, the hosts' rounds driven by hand: the
 * first host alone takes them all, the second gets half within a few rounds, a dead host's are taken over once they
 * expire, and the dead host, back, hears it lost them. On H2 and on PostgreSQL.
 */
@OnBothDatabases
class LeaseShareTest {
    private static final ClusterSettings FAST = new ClusterSettings(Duration.ofMillis(600), Duration.ofMillis(300));

    private final TestDatabase database;
    private final List<AutoCloseable> open = new ArrayList<>();

    LeaseShareTest(TestDatabase database) {
        this.database = database;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** What one host's listener heard, in order: "+2" gained lease 2, "-2" lost it. */
    private record Heard(List<String> events) implements LeaseShare.Listener {
        Heard() {
            this(new CopyOnWriteArrayList<>());
        }

        @Override
        public void gained(int index) {
            events.add("+" + index);
        }

        @Override
        public void lost(int index) {
            events.add("-" + index);
        }
    }

    private Cluster host(DataSource db, String id) {
        Cluster c = new Cluster(db, new HostIdentity(id, "m"), FAST).register();
        open.add(c);
        return c;
    }

    @Test
    void leasesFollowTheLiveHosts() throws Exception {
        Store store = database.open();
        open.add(store);
        Cluster a = host(store.dataSource(), "host-a");
        Heard heardA = new Heard();
        LeaseShare shareA = a.share("discord-shard-", 4, heardA);
        assertThat(shareA.held()).as("alone, host A takes every lease").containsExactly(0, 1, 2, 3);
        assertThat(heardA.events()).containsExactly("+0", "+1", "+2", "+3");

        Cluster b = host(store.dataSource(), "host-b");
        Heard heardB = new Heard();
        LeaseShare shareB = b.share("discord-shard-", 4, heardB);
        assertThat(shareB.held()).as("all held by a live host").isEmpty();
        for (int round = 0; round < 4; round++) { // A gives one up per round, B takes it at its next
            a.tick();
            b.tick();
        }
        assertThat(shareA.held()).hasSize(2);
        assertThat(shareB.held()).hasSize(2).doesNotContainAnyElementsOf(shareA.held());
        assertThat(heardA.events()).containsExactly("+0", "+1", "+2", "+3", "-3", "-2");
        assertThat(heardB.events()).containsExactlyInAnyOrder("+2", "+3");

        // host A stops renewing (dead, or paused): once its leases expire, B takes them over
        Set<Integer> aHeld = shareA.held();
        Thread.sleep(FAST.lease().toMillis() + 200);
        b.tick();
        assertThat(shareB.held()).containsExactly(0, 1, 2, 3);
        assertThat(heardB.events()).containsExactlyInAnyOrder("+2", "+3", "+0", "+1");

        // A comes back: its renewals are refused, it hears it lost what it held, and gets its half back in rounds
        a.tick();
        assertThat(shareA.held()).isEmpty();
        assertThat(heardA.events()).endsWith(aHeld.stream().map(i -> "-" + i).toArray(String[]::new));
        for (int round = 0; round < 4; round++) {
            b.tick();
            a.tick();
        }
        assertThat(shareA.held()).hasSize(2);
        assertThat(shareB.held()).hasSize(2).doesNotContainAnyElementsOf(shareA.held());

        // host A stops in good order: it gives its leases up and is not live any more, so B takes them at once
        a.close();
        assertThat(heardA.events()).hasSize(12);
        b.tick();
        assertThat(shareB.held()).containsExactly(0, 1, 2, 3);
    }
}
