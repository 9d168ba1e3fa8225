package dev.claw4j.core.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;

/** The listening connection breaks (the server ended its backend): the host listens again, for good. */
class PostgresWorkSignalTest {

    @Test
    void aBrokenListeningConnectionIsOpenedAgain() throws Exception {
        try (Store store = TestDatabase.POSTGRESQL.open()) {
            Set<Integer> backends = ConcurrentHashMap.newKeySet();
            List<String> heard = new CopyOnWriteArrayList<>();
            DataSource recording = recordingBackends(store.dataSource(), backends);
            try (PostgresWorkSignal signal = new PostgresWorkSignal(recording, heard::add).start()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> signalled(signal, heard, "g-before"));

                int killed;
                try (Connection admin = store.dataSource().getConnection(); var s = admin.createStatement()) {
                    // the listener's connection is the one still open that sent LISTEN
                    var rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE query LIKE 'LISTEN %'");
                    killed = -1;
                    while (rs.next()) {
                        if (backends.contains(rs.getInt(1))) {
                            killed = rs.getInt(1);
                        }
                    }
                    assertThat(killed).as("the listener's backend").isPositive();
                    s.execute("SELECT pg_terminate_backend(" + killed + ")");
                }
                await().atMost(Duration.ofSeconds(15)).until(() -> signalled(signal, heard, "g-after"));
            }
        }
    }

    /** Sends a signal and reports whether it was heard (a signal sent while nobody listens is lost, so retry). */
    private static boolean signalled(PostgresWorkSignal signal, List<String> heard, String group)
            throws InterruptedException {
        signal.workFor(group);
        Thread.sleep(200);
        return heard.contains(group);
    }

    /** The data source, noting the backend pid of each connection it hands out while the test watches. */
    private static DataSource recordingBackends(DataSource db, Set<Integer> backends) {
        return (DataSource) Proxy.newProxyInstance(DataSource.class.getClassLoader(), new Class<?>[] {DataSource.class},
                (proxy, method, args) -> {
                    Object result = method.invoke(db, args);
                    if (result instanceof Connection c) {
                        backends.add(c.unwrap(PGConnection.class).getBackendPID());
                    }
                    return result;
                });
    }
}
