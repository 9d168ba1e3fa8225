package dev.claw4j.core.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL LISTEN/NOTIFY on channel {@value #CHANNEL}: a host that stored a message for a group NOTIFYs the group's
 * id; every host LISTENs on one connection of its own and queues the groups it holds, at once. A missed signal (the
 * listening connection broke) is caught by {@link Takeovers}' slow round.
 *
 * <p>A broken listening connection (the server restarted, the pool closed it) is opened again after a second; until
 * then the slow round covers.
 */
public final class PostgresWorkSignal implements WorkSignal {
    private static final Logger log = LoggerFactory.getLogger(PostgresWorkSignal.class);
    static final String CHANNEL = "claw4j_work";

    private final DataSource db;
    private final Consumer<String> onWork;
    private final Thread listener;
    private volatile boolean closed;

    /** @param onWork told the id of a group some host signalled (on the listening thread; keep it quick) */
    public PostgresWorkSignal(DataSource db, Consumer<String> onWork) {
        this.db = db;
        this.onWork = onWork;
        this.listener = Thread.ofPlatform().daemon().name("pg-listen").unstarted(this::listen);
    }

    public PostgresWorkSignal start() {
        listener.start();
        return this;
    }

    @Override
    public void workFor(String groupId) {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, CHANNEL);
            ps.setString(2, groupId);
            ps.execute();
        } catch (SQLException e) {
            // the holder's slow round finds the message anyway
            log.warn("[{}] could not signal the group's holder ({}); it picks the message up within seconds",
                    groupId, e.getMessage());
        }
    }

    private void listen() {
        while (!closed) {
            try (Connection c = db.getConnection()) {
                try (var s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications(1000);
                    if (notes == null) {
                        continue;
                    }
                    for (PGNotification note : notes) {
                        onWork.accept(note.getParameter());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("listening for other hosts' signals failed ({}); listening again in 1 s", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        listener.interrupt();
    }
}
