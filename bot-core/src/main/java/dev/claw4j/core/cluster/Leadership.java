package dev.claw4j.core.cluster;

import java.util.Optional;

/**
 * A named leader lease (e.g. {@code telegram-polling}): at most one host at a time is leader. The cluster's loop
 * tries to take it while no one holds it and renews it while this host does; the listener hears every change.
 * Close it to give the lease up.
 */
public interface Leadership extends AutoCloseable {
    /** Told when this host becomes leader and when it stops being one (lease lost or given up). */
    interface Listener {
        void gained(Lease lease);

        void lost(Lease lease);
    }

    String name();

    boolean isLeader();

    /** The lease while this host leads (its token fences the leader's writes if it needs that). */
    Optional<Lease> lease();

    @Override
    void close();
}
