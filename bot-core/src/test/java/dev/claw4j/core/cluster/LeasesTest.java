package dev.claw4j.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Jdbc;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.core.store.Tx;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Test;

/** Two hosts' lease managers on one database in one JVM, on H2 and on PostgreSQL. */
@OnBothDatabases
class LeasesTest {
    private final TestDatabase db;

    LeasesTest(TestDatabase db) {
        this.db = db;
    }

    /** Short enough for a quick test, long enough for a loaded 2-core machine to renew in time. */
    private static final ClusterSettings FAST = new ClusterSettings(Duration.ofMillis(600), Duration.ofMillis(300));

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    private DataSource database() {
        Store store = db.open();
        open.add(store);
        return store.dataSource();
    }

    private Cluster host(DataSource db, String id, ClusterSettings settings) {
        Cluster c = new Cluster(db, new HostIdentity(id, "test-machine"), settings).start();
        open.add(c);
        return c;
    }

    @Test
    void aGroupIsHeldByOneHostAtATime() throws Exception {
        DataSource db = database();
        Cluster a = host(db, "host-a", ClusterSettings.DEFAULT);
        Cluster b = host(db, "host-b", ClusterSettings.DEFAULT);

        Optional<Fence> fa = a.hold("g1");
        assertThat(fa).contains(new Fence("g1", "host-a", 1));
        assertThat(b.hold("g1")).isEmpty();
        assertThat(b.holderOf("g1")).contains("host-a");
        assertThat(a.hold("g1")).isEqualTo(fa); // holding again changes nothing
        assertThat(b.hold("g2")).contains(new Fence("g2", "host-b", 1));
        assertThat(a.liveHosts()).containsExactly("host-a", "host-b");
    }

    @Test
    void anExpiredLeaseIsTakenOverWithTheNextTokenAndTheStaleHolderCannotRenewIt() throws Exception {
        DataSource db = database();
        Cluster a = new Cluster(db, new HostIdentity("host-a", "m"), FAST); // never started: it renews nothing
        open.add(a);
        Cluster b = host(db, "host-b", FAST);
        List<String> lostByA = new ArrayList<>();
        a.onLost(lostByA::add);

        Fence old = a.hold("g1").orElseThrow();
        assertThat(b.hold("g1")).isEmpty();
        Thread.sleep(FAST.lease().toMillis() + 200);
        assertThat(a.fence("g1")).as("a host does not trust a lease it did not renew in time").isEmpty();

        Fence taken = b.hold("g1").orElseThrow();
        assertThat(taken.token()).isEqualTo(old.token() + 1);
        a.tick(); // the paused host wakes up and tries to renew
        assertThat(lostByA).containsExactly("g1");
        assertThat(a.heldGroups()).isEmpty();
        assertThat(a.hold("g1")).isEmpty();
        assertThat(b.holderOf("g1")).contains("host-b");
    }

    @Test
    void aWriteUnderAStaleTokenIsRefusedAndTheHoldersIsNot() throws Exception {
        DataSource db = database();
        Cluster a = new Cluster(db, new HostIdentity("host-a", "m"), FAST);
        open.add(a);
        Cluster b = host(db, "host-b", FAST);
        Fence old = a.hold("g1").orElseThrow();
        Thread.sleep(FAST.lease().toMillis() + 200);
        Fence current = b.hold("g1").orElseThrow();

        Jdbc jdbc = new Jdbc(db);
        assertThatThrownBy(() -> jdbc.inTransaction("a stale write", tx -> fenced(tx, old)))
                .isInstanceOf(FencedOutException.class)
                .hasMessageContaining("group g1").hasMessageContaining("host-a").hasMessageContaining("token 1");
        jdbc.inTransaction("the holder's write", tx -> fenced(tx, current));
    }

    @Test
    void aTakeoverWaitsForAWriteThatPassedItsFenceCheck() throws Exception {
        DataSource db = database();
        Cluster a = new Cluster(db, new HostIdentity("host-a", "m"), FAST);
        open.add(a);
        Cluster b = host(db, "host-b", FAST);
        Fence old = a.hold("g1").orElseThrow();
        Thread.sleep(FAST.lease().toMillis() + 200); // expired, but nobody took it yet: a's write still passes

        CompletableFuture<Optional<Fence>> takeover = new Jdbc(db).inTransaction("a fenced write", tx -> {
            fenced(tx, old);
            CompletableFuture<Optional<Fence>> waiting = CompletableFuture.supplyAsync(() -> b.hold("g1"));
            sleep(500);
            assertThat(waiting).as("the takeover waits while the fenced write is open").isNotDone();
            return waiting; // commits
        });
        assertThat(takeover.get(10, TimeUnit.SECONDS)).contains(new Fence("g1", "host-b", 2));
    }

    @Test
    void aReleasedLeaseIsFreeAtOnceAndAStoppedHostIsNotLive() throws Exception {
        DataSource db = database();
        Cluster a = host(db, "host-a", ClusterSettings.DEFAULT);
        Cluster b = host(db, "host-b", ClusterSettings.DEFAULT);
        a.hold("g1").orElseThrow();
        a.close();

        Fence f = b.hold("g1").orElseThrow();
        assertThat(f.token()).isEqualTo(2);
        assertThat(b.liveHosts()).containsExactly("host-b");
    }

    @Test
    void oneLeaderAtATimeAndTheNextTakesOverWhenItStops() throws Exception {
        DataSource db = database();
        Cluster a = host(db, "host-a", FAST);
        Cluster b = host(db, "host-b", FAST);
        List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        Leadership la = a.lead("telegram-polling", listener("a", events));
        Leadership lb = b.lead("telegram-polling", listener("b", events));
        assertThat(la.isLeader()).isTrue();
        assertThat(lb.isLeader()).isFalse();
        b.tick();
        assertThat(lb.isLeader()).isFalse();

        la.close();
        b.tick();
        assertThat(lb.isLeader()).isTrue();
        assertThat(lb.lease().orElseThrow().token()).isEqualTo(2);
        assertThat(events).containsExactly("a gained 1", "a lost 1", "b gained 2");
    }

    @Test
    void settingsRefuseARenewalTooCloseToTheLease() {
        assertThatThrownBy(() -> new ClusterSettings(Duration.ofSeconds(10), Duration.ofSeconds(6)))
                .hasMessageContaining("cluster.renewSeconds");
    }

    @Test
    void theHostIdIsTheInstallIdKeptInTheDataDirectory(@TempDir Path dir) throws Exception {
        HostIdentity first = HostIdentity.load(dir);
        assertThat(HostIdentity.load(dir)).isEqualTo(first);
        assertThat(HostIdentity.load(dir.resolve("..").resolve(dir.getFileName()))).isEqualTo(first);
        assertThat(first.hostId()).hasSize(12)
                .isEqualTo(java.nio.file.Files.readString(dir.resolve("install-id")).strip());
    }

    private static Leadership.Listener listener(String who, List<String> events) {
        return new Leadership.Listener() {
            @Override
            public void gained(Lease lease) {
                events.add(who + " gained " + lease.token());
            }

            @Override
            public void lost(Lease lease) {
                events.add(who + " lost " + lease.token());
            }
        };
    }

    private static Void fenced(Tx tx, Fence fence) throws SQLException {
        Cluster.requireHeld(tx, fence, "storing a reply");
        return null;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted", e);
        }
    }
}
