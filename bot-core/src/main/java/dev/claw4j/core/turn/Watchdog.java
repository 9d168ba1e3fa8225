package dev.claw4j.core.turn;

import dev.claw4j.core.agent.AgentChannel;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watches a running turn for what its sandbox cannot limit by itself: an agent that keeps writing lines the
 * host refuses, and a group folder growing past its quota (the folder is a bind mount, so the container's
 * limits do not cover it). Checked about once a second while the host waits for the agent.
 */
final class Watchdog {
    /** Bad lines a turn may write before its sandbox is stopped: enough for bugs, too few for a flood. */
    static final int MAX_REFUSED_LINES = 100;
    private static final long SLACK = 8L << 20;

    private final AgentChannel channel;
    private final Path folder;
    /** Measured off the turn's path: walking a big folder must not delay the turn's start. */
    private final CompletableFuture<Long> limit;
    private final int refusedAtStart;

    /**
     * @param quota the folder's quota in bytes; a turn that starts over it may shrink the folder, never grow it
     */
    Watchdog(AgentChannel channel, Path folder, long quota) {
        this.channel = channel;
        this.folder = folder;
        this.limit = new CompletableFuture<>();
        Thread.ofVirtual().name("watchdog-size").start(() -> limit.complete(Math.max(quota, size(folder)) + SLACK));
        this.refusedAtStart = channel.refusedLines();
    }

    /** Null while all is well, else what went wrong, for the audit trail. */
    String check() {
        int refused = channel.refusedLines() - refusedAtStart;
        if (refused > MAX_REFUSED_LINES) {
            return "wrote " + refused + " lines the host refused";
        }
        Long max = limit.getNow(null);
        if (max == null) {
            return null; // the starting size is not known yet; the next check has it
        }
        long size = size(folder);
        if (size > max) {
            return "grew its folder to " + (size >> 20) + " MiB, past its quota";
        }
        return null;
    }

    /** Bytes in the folder, links not followed. */
    static long size(Path folder) {
        AtomicLong total = new AtomicLong();
        try {
            Files.walkFileTree(folder, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    total.addAndGet(attrs.size());
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // a folder that cannot be walked counts as what was seen of it
        }
        return total.get();
    }
}
