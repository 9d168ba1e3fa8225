package dev.claw4j.core.cluster;

/**
 * Tells the host that holds a group that it has new work (a message stored by another host: the web API and
 * webhooks may reach any host). On PostgreSQL a NOTIFY; alone on H2 the in-process queue is enough, so nothing.
 */
public interface WorkSignal extends AutoCloseable {
    WorkSignal NONE = groupId -> { };

    void workFor(String groupId);

    @Override
    default void close() {
    }
}
