package dev.claw4j.app.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's logins: a random session id in an HttpOnly cookie points at a session kept here (nothing about
 * it lives in the browser), with its own CSRF token and a fixed lifetime. Wrong tokens are rate-limited for the
 * whole console (there is one operator, and on loopback every caller has the same address).
 */
final class ConsoleSessions {
    static final Duration LIFETIME = Duration.ofHours(8);
    static final int MAX_FAILURES = 5;
    static final Duration FAILURE_WINDOW = Duration.ofMinutes(1);
    private static final int MAX_SESSIONS = 64;

    /** A logged-in browser. {@code flash}: a one-time message for the next page (what an action did). */
    static final class Session {
        final String id;
        final String csrf;
        final Instant expires;
        volatile String flash;

        Session(String id, String csrf, Instant expires) {
            this.id = id;
            this.csrf = csrf;
            this.expires = expires;
        }

        boolean csrfMatches(String presented) {
            return presented != null && MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8),
                    presented.getBytes(StandardCharsets.UTF_8));
        }

        String takeFlash() {
            String f = flash;
            flash = null;
            return f;
        }
    }

    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final ArrayDeque<Instant> failures = new ArrayDeque<>();

    ConsoleSessions(Clock clock) {
        this.clock = clock;
    }

    /** False while too many wrong tokens came in the last minute: the next try is refused without a look. */
    synchronized boolean mayTry() {
        Instant cutoff = clock.instant().minus(FAILURE_WINDOW);
        while (!failures.isEmpty() && failures.peekFirst().isBefore(cutoff)) {
            failures.pollFirst();
        }
        return failures.size() < MAX_FAILURES;
    }

    synchronized void failed() {
        failures.addLast(clock.instant());
    }

    Session open() {
        Instant now = clock.instant();
        sessions.values().removeIf(s -> !s.expires.isAfter(now));
        if (sessions.size() >= MAX_SESSIONS) {
            // the oldest login goes: an operator who logs in again and again must not grow this without end
            sessions.values().stream().min((a, b) -> a.expires.compareTo(b.expires))
                    .ifPresent(s -> sessions.remove(s.id));
        }
        Session s = new Session(randomToken(), randomToken(), now.plus(LIFETIME));
        sessions.put(s.id, s);
        return s;
    }

    Optional<Session> find(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = sessions.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (!s.expires.isAfter(clock.instant())) {
            sessions.remove(id);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    boolean alive(Session s) {
        return sessions.get(s.id) == s && s.expires.isAfter(clock.instant());
    }

    void close(Session s) {
        sessions.remove(s.id);
    }

    String randomToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
