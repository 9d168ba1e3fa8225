package dev.claw4j.web;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * Who wrote a web chat message, as the host's access rules see it. The name a person types is a label, never
 * an identity: anyone holding the page can type any name, "admin" included. The identity is derived from a
 * random secret the server gives each browser in an HttpOnly cookie, together with the typed name:
 * {@code web:<24 hex digits of SHA-256(secret, name)>}. A browser keeps being the same person across
 * restarts, two names typed in one browser are two people (the demo relies on it), and nobody without that
 * browser's secret can produce its ids, not even someone who read them in the config, a log or the audit trail.
 */
public final class WebSenders {
    /** The HttpOnly cookie that holds a browser's secret. */
    public static final String COOKIE = "claw4j_sender";

    private static final Pattern SECRET = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private WebSenders() {}

    /** A new browser secret: 32 random bytes, base64url. */
    public static String newSecret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The sender id (without the {@code web:} prefix) of the person who types {@code name} in the browser
     * holding {@code secret}. Public so that tests and scripts can name such a person in {@code access.admins}.
     */
    public static String id(String secret, String name) {
        if (!wellFormed(secret)) {
            throw new IllegalArgumentException("a web chat sender secret is 43 base64url characters");
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(secret.getBytes(StandardCharsets.US_ASCII));
            sha.update((byte) 0); // the secret has a fixed length and no 0 byte: the pair cannot be confused
            sha.update(name.strip().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    static boolean wellFormed(String secret) {
        return secret != null && SECRET.matcher(secret).matches();
    }
}
