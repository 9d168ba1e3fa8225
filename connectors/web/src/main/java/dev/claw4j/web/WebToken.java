package dev.claw4j.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The per-install secret that opens the web chat: 32 random bytes, base64url, made once at first start and
 * kept in {@code <dataDir>/web-token}. The file is created owner-only (0600) in the same call that creates it,
 * so there is no moment in which another user of the machine could read it.
 */
final class WebToken {
    static final String FILE = "web-token";
    private static final Pattern FORMAT = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] value;

    private WebToken(String value) {
        this.value = value.getBytes(StandardCharsets.US_ASCII);
    }

    /** This install's token: read from the data directory, or made and stored there on first start. */
    static WebToken of(Path dataDir) {
        Path file = dataDir.resolve(FILE);
        try {
            if (!Files.isDirectory(dataDir)) {
                Files.createDirectories(dataDir,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            try (SeekableByteChannel out = Files.newByteChannel(file,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(OWNER_ONLY))) {
                String made = random();
                out.write(ByteBuffer.wrap((made + "\n").getBytes(StandardCharsets.US_ASCII)));
                return new WebToken(made);
            } catch (FileAlreadyExistsException e) {
                return read(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("web chat: cannot keep its token in " + file + ": " + e.getMessage()
                    + "; check that the data directory is writable by the user claw4j runs as", e);
        }
    }

    private static WebToken read(Path file) throws IOException {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalStateException("web chat: " + file + " is not a plain file (a link or a folder?);"
                    + " remove it and start again to make a new token");
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
        if (!OWNER_ONLY.containsAll(perms)) {
            throw new IllegalStateException("web chat: " + file + " is readable by other users ("
                    + PosixFilePermissions.toString(perms) + "); run 'chmod 600 " + file + "', or delete it to"
                    + " make a new token, then start again");
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        if (!FORMAT.matcher(text).matches()) {
            throw new IllegalStateException("web chat: " + file + " does not hold a token (43 base64url"
                    + " characters); delete it and start again to make a new one");
        }
        return new WebToken(text);
    }

    private static String random() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code candidate} is the token; takes the same time wherever the first difference is. */
    boolean matches(String candidate) {
        if (candidate == null) {
            return false;
        }
        return MessageDigest.isEqual(value, candidate.getBytes(StandardCharsets.US_ASCII));
    }

    String value() {
        return new String(value, StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "WebToken[****]"; // never in a log line by accident
    }
}
