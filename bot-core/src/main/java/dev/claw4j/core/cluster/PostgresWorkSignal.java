package dev.claw4j.core.cluster;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
 * <p>The same connection listens on {@value #DELIVERED} for replies any host delivered ({@link ReplySignal}): the
 * payload is {@code <reply id> <platform> <chat id>}, ids only.
 *
 * <p>A broken listening connection (the server restarted, the pool closed it) is opened again after a second; until
 * then the slow round covers.
 */
public final class PostgresWorkSignal implements WorkSignal, ReplySignal {
    private static final Logger log = LoggerFactory.getLogger(PostgresWorkSignal.class);
    static final String CHANNEL = "claw4j_work";
    static final String DELIVERED = "claw4j_delivered";

    private final DataSource db;
    private final Consumer<String> onWork;
    private final Thread listener;
    private final List<ReplySignal.Listener> deliveredListeners = new CopyOnWriteArrayList<>();
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
        try {
            notify(CHANNEL, groupId);
        } catch (SQLException e) {
            // the holder's slow round finds the message anyway
            log.warn("[{}] could not signal the group's holder ({}); it picks the message up within seconds",
                    groupId, e.getMessage());
        }
    }

    @Override
    public boolean delivered(String platform, String chatId, long replyId) {
        try {
            notify(DELIVERED, replyId + " " + platform + " " + chatId);
            return true;
        } catch (SQLException e) {
            log.warn("could not tell the other hosts that reply {} to {} chat {} was delivered ({}); their open pages "
                    + "show it when reloaded", replyId, platform, chatId, e.getMessage());
            return false;
        }
    }

    @Override
    public void onDelivered(ReplySignal.Listener listener) {
        deliveredListeners.add(listener);
    }

    private void notify(String channel, String payload) throws SQLException {
        try (Connection c = db.getConnection(); var ps = c.prepareStatement("SELECT pg_notify(?, ?)")) {
            ps.setString(1, channel);
            ps.setString(2, payload);
            ps.execute();
        }
    }

    private void listen() {
        while (!closed) {
            try (Connection c = db.getConnection()) {
                try (var s = c.createStatement()) {
                    s.execute("LISTEN " + CHANNEL);
                    s.execute("LISTEN " + DELIVERED);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notes = pg.getNotifications(1000);
                    if (notes == null) {
                        continue;
                    }
                    for (PGNotification note : notes) {
                        if (DELIVERED.equals(note.getName())) {
                            delivered(note.getParameter());
                        } else {
                            onWork.accept(note.getParameter());
                        }
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

    /** {@code <reply id> <platform> <chat id>}, as {@link #delivered(String, String, long)} wrote it. */
    private void delivered(String payload) {
        String[] ids = payload.split(" ", 3);
        if (ids.length < 3 || !ids[0].matches("[0-9]{1,18}")) {
            log.warn("ignored a delivered-reply signal that is not '<reply id> <platform> <chat id>': {}", payload);
            return;
        }
        long replyId = Long.parseLong(ids[0]);
        for (ReplySignal.Listener l : deliveredListeners) {
            try {
                l.delivered(ids[1], ids[2], replyId);
            } catch (RuntimeException e) { // one listener failing must not stop the others, nor the listening
                log.warn("a listener of delivered replies failed on reply {}: {}", replyId, e.toString());
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        listener.interrupt();
    }
}
