package dev.claw4j.core.sandbox;

import dev.claw4j.protocol.ProtocolError;
import java.time.Duration;
import java.util.Locale;

/**
 * Audits the lines of one sandbox that the host refused: the first few of each window one by one, then one
 * summary for the rest ("… and 5,312 more refused lines in the last 10 s"), so a flood of bad lines cannot
 * fill the audit trail. The {@link Watchdog} rolls the window on its timer, so a summary is written even
 * when the flood stops, and once more when the sandbox ends.
 */
final class RefusalAudit {
    static final String KIND = "protocol.refused";

    private final String groupId;
    private final SandboxManager.Audit audit;
    private final int perWindow;
    private final long windowNanos;
    private long windowStart = System.nanoTime();
    private int audited;
    private long more;

    RefusalAudit(String groupId, SandboxManager.Audit audit, int perWindow, Duration window) {
        this.groupId = groupId;
        this.audit = audit;
        this.perWindow = perWindow;
        this.windowNanos = window.toNanos();
    }

    /** One refused line. */
    synchronized void refused(ProtocolError error) {
        roll();
        if (audited < perWindow) {
            audited++;
            audit.record(groupId, KIND, error.code() + ": " + error.message());
        } else {
            more++;
        }
    }

    /** Starts a new window once the current one is over, summing up what it did not audit. */
    synchronized void roll() {
        if (System.nanoTime() - windowStart >= windowNanos) {
            flush();
        }
    }

    /** Sums up the lines not audited so far and starts a new window. */
    synchronized void flush() {
        long now = System.nanoTime();
        if (more > 0) {
            long seconds = Math.max(1, Duration.ofNanos(now - windowStart).toSeconds());
            audit.record(groupId, KIND, String.format(Locale.ROOT, "… and %,d more refused lines in the last %d s",
                    more, seconds));
        }
        windowStart = now;
        audited = 0;
        more = 0;
    }
}
