package dev.claw4j.core.turn;

import dev.claw4j.protocol.AgentMessage;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one status message of a turn that runs longer than a few seconds: shown after {@code delay} with what the
 * agent is doing (from the {@code event}s it sends), edited in place at most every {@code gap}, removed when the
 * turn ends. Every platform call runs on the timer's threads, never on the turn's, so a slow platform cannot slow
 * a turn down; failures are logged and forgotten (it is a courtesy, not a delivery).
 */
public final class Progress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Progress.class);
    public static final Duration DELAY = Duration.ofSeconds(3);
    public static final Duration GAP = Duration.ofSeconds(2);
    private static final int MAX_CHARS = 300;
    private static final ScheduledExecutorService TIMER = Executors.newScheduledThreadPool(2,
            Thread.ofPlatform().daemon().name("progress-", 0).factory());

    /** Where the status message lives: a connector's progress methods. A null handle means "not shown". */
    public interface Sink {
        String show(String chatId, String threadId, String text);

        void edit(String chatId, String threadId, String handle, String text);

        void clear(String chatId, String threadId, String handle);
    }

    /** A turn on a platform that shows no status message. */
    public static final Progress NONE = new Progress(null, null, null, DELAY, GAP, TIMER);

    private final Sink sink;
    private final String chatId;
    private final String threadId;
    private final Duration gap;
    private final ScheduledExecutorService timer;
    private final Object io = new Object();
    // under this: what the turn said last, and whether it ended
    private String latest = "⏳ Working…";
    private boolean closed;
    private ScheduledFuture<?> pending;
    // under io: the message as the platform has it
    private String handle;
    private String shown;
    private long lastCall;

    Progress(Sink sink, String chatId, String threadId, Duration delay, Duration gap, ScheduledExecutorService timer) {
        this.sink = sink;
        this.chatId = chatId;
        this.threadId = threadId;
        this.gap = gap;
        this.timer = timer;
        if (sink != null) {
            pending = timer.schedule(this::flush, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** The status of a turn in this chat, or {@link #NONE} when the platform shows none. */
    public static Progress start(Sink sink, String chatId, String threadId) {
        return sink == null ? NONE : new Progress(sink, chatId, threadId, DELAY, GAP, TIMER);
    }

    /** What an agent's event says it is doing, in a few words for people. */
    public void step(AgentMessage.Event e) {
        String what = e.tool() == null ? e.kind() : e.tool() + (e.detail() == null || e.detail().isBlank() ? ""
                : ": " + e.detail().strip().replaceAll("\\s+", " "));
        if (what.length() > MAX_CHARS) {
            what = what.substring(0, MAX_CHARS) + "…";
        }
        String text = "tool.started".equals(e.kind()) ? "⏳ Working… " + what
                : "tool.finished".equals(e.kind()) ? "⏳ Working… done with " + what
                : "⏳ Working… " + what;
        step(text);
    }

    synchronized void step(String text) {
        if (sink == null || closed) {
            return;
        }
        latest = text;
        if (pending == null) { // shown already and nothing queued: edit now, or when the gap is over
            pending = timer.schedule(this::flush, 0, TimeUnit.MILLISECONDS);
        }
    }

    private void flush() {
        synchronized (io) {
            String text;
            synchronized (this) {
                pending = null;
                if (closed) {
                    return;
                }
                text = latest;
            }
            try {
                if (handle == null) {
                    handle = sink.show(chatId, threadId, text);
                    shown = text;
                    lastCall = System.nanoTime();
                    return;
                }
                if (text.equals(shown)) {
                    return;
                }
                long wait = lastCall + gap.toNanos() - System.nanoTime();
                if (wait > 0) {
                    synchronized (this) {
                        if (pending == null && !closed) {
                            pending = timer.schedule(this::flush, wait, TimeUnit.NANOSECONDS);
                        }
                    }
                    return;
                }
                sink.edit(chatId, threadId, handle, text);
                shown = text;
                lastCall = System.nanoTime();
            } catch (RuntimeException ex) {
                log.debug("status message in {}: {}", chatId, ex.getMessage());
            }
        }
    }

    /** The turn ended: the status message goes away (after any call to the platform already under way). */
    @Override
    public void close() {
        synchronized (this) {
            if (sink == null || closed) {
                return;
            }
            closed = true;
            if (pending != null) {
                pending.cancel(false);
            }
        }
        timer.execute(() -> {
            synchronized (io) {
                if (handle != null) {
                    try {
                        sink.clear(chatId, threadId, handle);
                    } catch (RuntimeException ex) {
                        log.debug("status message in {} not removed: {}", chatId, ex.getMessage());
                    }
                    handle = null;
                }
            }
        });
    }
}
