package dev.claw4j.core.cluster;

import java.time.Duration;

/**
 * How long a lease lasts without renewal, and how often its holder renews it ({@code cluster: { leaseSeconds,
 * renewSeconds }}). A host that misses {@code lease / renew} renewals in a row loses its groups to the others.
 */
public record ClusterSettings(Duration lease, Duration renew) {
    public static final ClusterSettings DEFAULT = new ClusterSettings(Duration.ofSeconds(15), Duration.ofSeconds(5));

    public ClusterSettings {
        if (lease.isNegative() || lease.isZero() || renew.isNegative() || renew.isZero()) {
            throw new IllegalArgumentException("cluster.leaseSeconds and cluster.renewSeconds must be positive");
        }
        if (renew.multipliedBy(2).compareTo(lease) > 0) {
            throw new IllegalArgumentException("cluster.renewSeconds (" + renew.toSeconds() + ") must be at most half"
                    + " of cluster.leaseSeconds (" + lease.toSeconds() + "), so one late renewal does not lose a lease");
        }
    }
}
