package dev.claw4j.telegram;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * "typing…" while an agent works. Telegram shows a chat action for about five seconds, so it is sent again
 * every four seconds until the turn ends.
 */
final class TypingIndicator implements AutoCloseable {
    static final long REPEAT_MILLIS = 4000;

    private final BiConsumer<String, String> sendTyping;
    private final long repeatMillis;
    private final Map<String, ScheduledFuture<?>> active = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("telegram-typing").factory());

    /** {@code sendTyping} gets (chatId, threadId) and must not throw. */
    TypingIndicator(BiConsumer<String, String> sendTyping, long repeatMillis) {
        this.sendTyping = sendTyping;
        this.repeatMillis = repeatMillis;
    }

    void working(String chatId, String threadId, boolean busy) {
        String key = chatId + "/" + threadId;
        if (busy) {
            active.computeIfAbsent(key, k -> timer.scheduleAtFixedRate(
                    // off the timer thread: one slow chat must not delay the others
                    () -> Thread.ofVirtual().start(() -> sendTyping.accept(chatId, threadId)),
                    0, repeatMillis, TimeUnit.MILLISECONDS));
        } else {
            ScheduledFuture<?> running = active.remove(key);
            if (running != null) {
                running.cancel(false);
            }
        }
    }

    @Override
    public void close() {
        active.values().forEach(f -> f.cancel(false));
        active.clear();
        timer.shutdownNow();
    }
}
