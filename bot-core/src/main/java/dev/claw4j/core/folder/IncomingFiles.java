package dev.claw4j.core.folder;

import dev.claw4j.core.model.Attachment;
import dev.claw4j.core.store.PrivateFiles;
import dev.claw4j.core.store.StoredAttachment;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The content of files people sent, kept by the host in its own {@code data/files/incoming/} (no agent can
 * reach it) from the moment a message arrives until its turn places them in the group's {@code inbox/}.
 * Written before the message is stored, so a crash in between loses nothing; names are the host's own keys.
 */
public final class IncomingFiles {
    private final Path dir;

    public IncomingFiles(Path dataDir) {
        this.dir = dataDir.resolve("files/incoming");
    }

    /** Keeps the attachments' content; returns what the store records of them, names sanitised once, here. */
    public List<StoredAttachment> keep(List<Attachment> attachments) {
        List<StoredAttachment> kept = new ArrayList<>();
        try {
            PrivateFiles.directory(dir);
            int seq = 0;
            for (Attachment a : attachments) {
                String key = UUID.randomUUID().toString();
                PrivateFiles.createNew(dir.resolve(key), a.content());
                String mime = a.mimeType().length() > 200 ? a.mimeType().substring(0, 200) : a.mimeType();
                kept.add(new StoredAttachment(seq++, GroupFolders.safeName(a.fileName()), mime, a.content().length, key));
            }
            return kept;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep an incoming file in " + dir + ": " + e.getMessage()
                    + "; check that the data directory is writable and has room", e);
        }
    }

    /** The kept content, or empty when it was already placed (and removed). */
    public Optional<byte[]> content(StoredAttachment a) {
        // the host's own folder, named by the host's own key: no agent or message shapes this path
        Path file = dir.resolve(requireKey(a.storedAs()));
        try {
            return Optional.of(Files.readAllBytes(file));
        } catch (java.nio.file.NoSuchFileException placed) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the incoming file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Forgets the content once it is in the group's inbox. */
    public void placed(StoredAttachment a) {
        try {
            Files.deleteIfExists(dir.resolve(requireKey(a.storedAs())));
        } catch (IOException e) {
            // a leftover copy in the host's own folder; harmless
        }
    }

    private static String requireKey(String key) {
        if (!key.matches("[0-9a-f-]{36}")) {
            throw new IllegalArgumentException("not an incoming file key: " + key);
        }
        return key;
    }
}
