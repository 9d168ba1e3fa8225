package dev.claw4j.slack;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Storing a message, one lane per channel: a channel's messages reach the host in the order Slack sent them
 * (a follow-up never overtakes the mention that made its thread sticky), while channels run side by side. The
 * event handler waits for its work's future before it acks, so the ack comes after the store's commit.
 */
final class ChatLanes implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChatLanes.class);

    private final ExecutorService threads = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("slack-lane-", 0).factory());
    private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

    /**
     * Runs {@code work} after the channel's earlier work; the future completes when it has run, exceptionally
     * when it failed. A failure does not hold up the lane.
     */
    CompletableFuture<Void> submit(String channel, Runnable work) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        tails.compute(channel, (key, tail) -> {
            CompletableFuture<Void> previous = tail == null ? CompletableFuture.completedFuture(null) : tail;
            CompletableFuture<Void> next = previous.thenRunAsync(() -> {
                try {
                    work.run();
                    done.complete(null);
                } catch (RuntimeException e) {
                    log.error("slack: handling an event in {} failed", channel, e);
                    done.completeExceptionally(e);
                }
            }, threads);
            // forget the lane once it is idle, so quiet channels cost nothing
            next.whenComplete((v, e) -> {
                tails.remove(key, next);
                if (e != null) {
                    done.completeExceptionally(e); // never ran (shutting down)
                }
            });
            return next;
        });
        return done;
    }

    @Override
    public void close() {
        threads.shutdown();
        try {
            threads.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        threads.shutdownNow();
    }
}
