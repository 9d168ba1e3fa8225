package dev.claw4j.core.sandbox;

import dev.claw4j.core.agent.AgentChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches one live sandbox for its whole life, on its own virtual thread and timer (never inside a turn's
 * loop, so neither a steady stream of good lines nor the quiet between turns keeps it from looking), for
 * what the sandbox's own limits do not cover:
 * <ul>
 *   <li>its group folder growing past the quota (the folder is a bind mount, outside the container's limits);
 *   <li>lines the host refuses, more than {@link Limits#maxRefusedLines} in a window;
 *   <li>output faster than any agent needs: more than {@link Limits#maxMessages} good messages or
 *       {@link Limits#maxBytes} bytes in a window (a flood of valid {@code event} lines, say).
 * </ul>
 * It trips once, and the owner stops the sandbox. It also paces the audit of refused lines
 * ({@link RefusalAudit}).
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);
    /** Room over the quota, so a file being written as the folder is measured does not trip it. */
    private static final long SLACK = 8L << 20;

    /**
     * What a sandbox may do per window.
     *
     * @param folderQuota       bytes its group folder may hold; a sandbox that starts over it may shrink the
     *                          folder, never grow it
     * @param maxRefusedLines   bad lines per window: enough for bugs, too few for a flood
     * @param maxMessages       good messages per window; an agent writes a few per model call
     * @param maxBytes          bytes of output per window; an agent writes at most about 1 MiB per model call
     * @param auditedRefusals   refused lines per window audited one by one; the rest are summed up
     * @param window            the window
     * @param every             how often it looks
     */
    public record Limits(long folderQuota, int maxRefusedLines, long maxMessages, long maxBytes, int auditedRefusals,
                         Duration window, Duration every) {
        public Limits {
            if (every.isZero() || every.isNegative() || window.compareTo(every) < 0) {
                throw new IllegalArgumentException("the watchdog needs 0 < every <= window, got every " + every
                        + " and window " + window);
            }
        }

        /** The defaults: generous for any real agent, far below what a flood writes. */
        public static Limits of(long folderQuota) {
            return new Limits(folderQuota, 100, 2_000, 256L << 20, 20, Duration.ofSeconds(10), Duration.ofSeconds(1));
        }
    }

    private final String groupId;
    private final AgentChannel channel;
    private final LongSupplier folderSize;
    private final Limits limits;
    private final RefusalAudit refusals;
    private final CountDownLatch stop = new CountDownLatch(1);
    /** Counters at each of the last ticks, oldest first: the window is the difference to the oldest. */
    private final ArrayDeque<long[]> history = new ArrayDeque<>();
    private final int ticksPerWindow;
    private long smallestSize;
    private boolean measured;
    private long nextSizeCheck;
    private volatile String tripped;

    /**
     * @param folderSize bytes in the group's folder now (links not followed); called off every turn's path
     */
    Watchdog(String groupId, AgentChannel channel, LongSupplier folderSize, long sizeAtStart, Limits limits,
             RefusalAudit refusals) {
        this.groupId = groupId;
        this.channel = channel;
        this.folderSize = folderSize;
        this.smallestSize = sizeAtStart;
        this.limits = limits;
        this.refusals = refusals;
        this.ticksPerWindow = (int) Math.max(1, limits.window().toNanos() / limits.every().toNanos());
        history.addLast(counters());
    }

    /** Starts looking; {@code onTrip} gets what went wrong, once, on the watchdog's thread. */
    void start(Consumer<String> onTrip) {
        Thread.ofVirtual().name("watchdog-" + groupId).start(() -> run(onTrip));
    }

    /** Why it tripped, for the person and the audit trail; null while all is well. */
    public String tripped() {
        return tripped;
    }

    /** Stops looking (the sandbox ended or is being stopped); sums up refused lines not audited yet. */
    @Override
    public void close() {
        stop.countDown();
    }

    private void run(Consumer<String> onTrip) {
        try {
            while (!stop.await(limits.every().toNanos(), TimeUnit.NANOSECONDS)) {
                String wrong = check();
                if (wrong != null) {
                    tripped = wrong;
                    onTrip.accept(wrong);
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.error("[{}] the sandbox watchdog failed; the sandbox runs unwatched until it stops", groupId, e);
        } finally {
            refusals.flush();
        }
    }

    /** One look. Null while all is well, else what went wrong, said so that "it" + this reads as a sentence. */
    String check() {
        refusals.roll();
        long[] now = counters();
        history.addLast(now);
        if (history.size() > ticksPerWindow + 1) {
            history.removeFirst();
        }
        long[] then = history.getFirst();
        String window = limits.window().toSeconds() + " s";
        long refused = now[0] - then[0];
        if (refused > limits.maxRefusedLines()) {
            return "wrote " + count(refused) + " lines the host refused within " + window;
        }
        long messages = now[1] - then[1];
        if (messages > limits.maxMessages()) {
            return "wrote " + count(messages) + " messages within " + window + ", more than the host takes ("
                    + count(limits.maxMessages()) + ")";
        }
        long bytes = now[2] - then[2];
        if (bytes > limits.maxBytes()) {
            return "wrote " + (bytes >> 20) + " MiB of output within " + window + ", more than the host takes ("
                    + (limits.maxBytes() >> 20) + " MiB)";
        }
        return checkFolder();
    }

    private String checkFolder() {
        long start = System.nanoTime();
        if (measured && start - nextSizeCheck < 0) {
            return null;
        }
        long size;
        try {
            size = folderSize.getAsLong();
        } catch (RuntimeException e) {
            log.warn("[{}] could not measure the group folder: {}", groupId, e.getMessage());
            return null;
        }
        measured = true;
        if (size == Long.MAX_VALUE) {
            return "filled its folder with too many entries to measure";
        }
        long took = System.nanoTime() - start;
        // measuring a big folder costs: spend at most about a fifth of the time on it
        nextSizeCheck = System.nanoTime() + Math.max(0, 4 * took - limits.every().toNanos());
        smallestSize = Math.min(smallestSize, size);
        long max = Math.max(limits.folderQuota(), smallestSize) + SLACK;
        if (size > max) {
            return "grew its folder to " + (size >> 20) + " MiB, past its quota of " + (limits.folderQuota() >> 20)
                    + " MiB";
        }
        return null;
    }

    private long[] counters() {
        return new long[] {channel.refusedLines(), channel.messagesRead(), channel.bytesRead()};
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
