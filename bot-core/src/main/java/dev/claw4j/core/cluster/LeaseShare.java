package dev.claw4j.core.cluster;

import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code count} named leader leases ({@code <prefix>0} … {@code <prefix>N-1}, e.g. Discord's shards) divided among
 * the live hosts: each round a host takes free ones until it holds its fair share (the count over the live hosts,
 * rounded up) and gives one up when it holds more, so a host that joins gets its part within a few rounds and a dead
 * host's leases are picked up once they expire. The listener hears every lease gained and lost (taken over by
 * another host, or given up here); what a lease guards runs only between the two.
 */
public final class LeaseShare implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaseShare.class);

    /** Told the index of a lease this host gained or lost (on the cluster's thread: keep it quick). */
    public interface Listener {
        void gained(int index);

        void lost(int index);
    }

    private final Cluster cluster;
    private final String prefix;
    private final int count;
    private final Listener listener;
    /** The leases this host takes part in, by index: held, or just taken and about to be checked. */
    private final Map<Integer, Leadership> mine = new TreeMap<>();
    private boolean closed;

    LeaseShare(Cluster cluster, String prefix, int count, Listener listener) {
        if (count < 1) {
            throw new IllegalArgumentException("a lease share needs at least one lease, got " + count);
        }
        this.cluster = cluster;
        this.prefix = prefix;
        this.count = count;
        this.listener = listener;
    }

    /** This host's fair share now: the leases over the live hosts, rounded up. */
    int fairShare() {
        int live = Math.max(1, cluster.liveHosts().size());
        return (count + live - 1) / live;
    }

    /** The indexes this host holds now. */
    public synchronized java.util.Set<Integer> held() {
        return mine.entrySet().stream().filter(e -> e.getValue().isLeader()).map(Map.Entry::getKey)
                .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
    }

    /** One round: forget leases lost, then take free ones up to the fair share or give one above it up. */
    synchronized void round() {
        if (closed) {
            return;
        }
        mine.values().removeIf(l -> !l.isLeader() && closeQuietly(l));
        int share = fairShare();
        if (mine.size() > share) {
            int last = ((TreeMap<Integer, Leadership>) mine).lastKey();
            log.info("host {} holds {} of {} {}* leases, over its share of {}: gives {}{} up", cluster.host().hostId(),
                    mine.size(), count, prefix, share, prefix, last);
            mine.remove(last).close();
            return;
        }
        for (int i = 0; i < count && mine.size() < share; i++) {
            if (mine.containsKey(i)) {
                continue;
            }
            int index = i;
            Leadership l = cluster.lead(prefix + i, new Leadership.Listener() {
                @Override
                public void gained(Lease lease) {
                    listener.gained(index);
                }

                @Override
                public void lost(Lease lease) {
                    listener.lost(index);
                }
            });
            if (l.isLeader()) {
                mine.put(i, l);
            } else {
                l.close(); // another live host holds it: stop asking (the next round asks again if it frees)
            }
        }
    }

    private static boolean closeQuietly(Leadership l) {
        l.close();
        return true;
    }

    /** Gives every lease held up (its holders elsewhere take them at their next round). */
    @Override
    public synchronized void close() {
        closed = true;
        cluster.forget(this);
        mine.values().forEach(Leadership::close);
        mine.clear();
    }
}
