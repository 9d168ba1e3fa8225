package dev.claw4j.slack;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * A small least-recently-used map: the connector remembers names, sticky threads and triggering messages
 * for as long as it runs, and this keeps that memory from growing without end.
 */
final class Bounded<K, V> {
    private final Map<K, V> map;

    Bounded(int capacity) {
        this.map = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    synchronized void put(K key, V value) {
        map.put(key, value);
    }

    synchronized Optional<V> get(K key) {
        return Optional.ofNullable(map.get(key));
    }

    synchronized boolean contains(K key) {
        return map.containsKey(key);
    }

    synchronized V remove(K key) {
        return map.remove(key);
    }

    /** The cached value, or a computed one (outside the lock: computing may call Slack) that is then cached. */
    V computeIfAbsent(K key, Function<K, V> compute) {
        Optional<V> cached = get(key);
        if (cached.isPresent()) {
            return cached.get();
        }
        V value = compute.apply(key);
        if (value != null) {
            put(key, value);
        }
        return value;
    }
}
