package dev.claw4j.app.admin;

import dev.claw4j.core.store.PrivateFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The admin token of this install: random, made at first start, kept in {@code <dataDir>/admin-token} (0600 from
 * the start). Whoever reads it may use the admin endpoint, so only the install's owner can.
 */
public final class AdminToken {
    public static final String FILE = "admin-token";

    private final String value;

    private AdminToken(String value) {
        this.value = value;
    }

    /** The install's token, made now if there is none yet. */
    public static AdminToken of(Path dataDir) {
        PrivateFiles.dataDirectory(dataDir);
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return new AdminToken(PrivateFiles.readOrCreate(dataDir.resolve(FILE),
                Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)));
    }

    public String value() {
        return value;
    }

    /** Compares in constant time, so the answer's timing tells nothing about how much of a guess was right. */
    public boolean matches(String presented) {
        return presented != null && MessageDigest.isEqual(value.getBytes(StandardCharsets.UTF_8),
                presented.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "AdminToken[hidden]"; // never in a log line
    }
}
