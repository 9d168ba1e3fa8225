package dev.claw4j.discord;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Threads in which the bot was @mentioned: later messages there count as addressed without a mention.
 * Bounded (least recently used forgotten first) because threads come and go; after a restart a thread needs
 * one mention again, which is harmless.
 */
final class StickyThreads {
    static final int DEFAULT_CAPACITY = 10_000;

    private final Set<String> threads;

    StickyThreads(int capacity) {
        this.threads = Collections.synchronizedSet(Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > capacity;
            }
        }));
    }

    void remember(String threadId) {
        threads.add(threadId);
    }

    /** Whether the bot was mentioned in this thread before; counts as a use for the LRU order. */
    boolean contains(String threadId) {
        return threads.contains(threadId);
    }
}
