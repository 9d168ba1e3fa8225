package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.Config;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Extra mounts reach a group's sandbox only as the mount allowlist allows, and read-only means read-only. */
class MountsIT {
    @TempDir
    Path data;
    @TempDir
    Path outside;

    @Test
    void anAllowedFolderIsMountedReadOnlyAndABlockedOneIsNot() throws Exception {
        Path docs = Files.createDirectories(outside.resolve("srv/docs"));
        Files.writeString(docs.resolve("handbook.md"), "HANDBOOK-CONTENT");
        // writable by anyone on the host, so only the read-only mount can stop the agent's write
        Files.setPosixFilePermissions(docs, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Path keys = Files.createDirectories(outside.resolve("srv/.ssh"));
        Files.writeString(keys.resolve("id_ed25519"), "PRIVATE-KEY");
        Path allowlist = outside.resolve("allowlist/mount-allowlist.yaml");
        Files.createDirectories(allowlist.getParent());
        Files.writeString(allowlist, "roots:\n  - path: " + outside.resolve("srv") + "\n    readWrite: true\n");
        String group = groupIdOf("web", "dm-mia");

        try (RunningHost host = new RunningHost(data, config -> config
                .withSandbox(new Config.Sandbox("runsc", true, null, null, null, null, null, "2m", "1m", 4, null,
                        allowlist.toString()))
                .withMounts(Map.of(group, List.of(new Config.Mount(docs.toString(), "docs", true),
                        new Config.Mount(keys.toString(), "keys", true)))), List.of())) {
            host.chat.post("dm-mia", "mia", "run: cat /workspace/extra/docs/handbook.md; touch /workspace/extra/docs/x "
                    + "2>&1; ls /workspace/extra; cat /workspace/extra/keys/id_ed25519 2>&1; echo end");
            List<JsonNode> replies = host.chat.awaitReplies("dm-mia", 1, Duration.ofSeconds(90));
            String out = replies.getFirst().get("text").asText();
            assertThat(out).contains("HANDBOOK-CONTENT").contains("Read-only file system").doesNotContain("PRIVATE-KEY")
                    .contains("end");
            assertThat(host.claw4j.store().audit().auditTrail(group)).anyMatch(e -> e.kind().equals("mount.refused")
                    && e.detail().contains(".ssh"));
        }
    }

    @Test
    void theAllowlistIsCheckedAgainAtEveryStartSoAFolderSwappedForALinkIsNotMounted() throws Exception {
        Path docs = Files.createDirectories(outside.resolve("srv/docs"));
        Files.writeString(docs.resolve("handbook.md"), "HANDBOOK-CONTENT");
        Path secret = Files.createDirectories(outside.resolve("private"));
        Files.writeString(secret.resolve("notes.txt"), "HOST-SECRET-NOTES");
        Path allowlist = outside.resolve("allowlist/mount-allowlist.yaml");
        Files.createDirectories(allowlist.getParent());
        // the operator allows a root that (by mistake) holds claw4j's data directory as well
        Files.writeString(allowlist, "roots:\n  - path: " + outside.resolve("srv") + "\n  - path: " + data + "\n");
        String group = groupIdOf("web", "dm-kim");
        Path realData = data.toRealPath();

        try (RunningHost host = new RunningHost(data, config -> config
                .withSandbox(new Config.Sandbox("runsc", true, null, null, null, null, null, "2m", "1m", 4, null,
                        allowlist.toString()))
                .withMounts(Map.of(group, List.of(new Config.Mount(docs.toString(), "docs", true),
                        new Config.Mount(data.resolve("groups").toString(), "groups", true)))), List.of())) {
            host.chat.post("dm-kim", "kim", "run: cat /workspace/extra/docs/handbook.md; ls /workspace/extra; echo end");
            String first = host.chat.awaitReplies("dm-kim", 1, Duration.ofSeconds(90)).getFirst().get("text").asText();
            assertThat(first).as("the attack's set-up: the folder really is mounted").contains("HANDBOOK-CONTENT")
                    .doesNotContain("groups").contains("end");
            assertThat(host.claw4j.store().audit().auditTrail(group)).anyMatch(e -> e.kind().equals("mount.refused")
                    && e.detail().contains("claw4j's own " + realData));

            // while the host runs, someone with write access to srv/ swaps the folder for a link to a private one
            Files.delete(docs.resolve("handbook.md"));
            Files.delete(docs);
            Files.createSymbolicLink(docs, secret);
            host.claw4j.sandboxes().discard(group); // the next message starts a new sandbox

            host.chat.post("dm-kim", "kim", "run: cat /workspace/extra/docs/notes.txt 2>&1; ls /workspace/extra 2>&1; "
                    + "echo end");
            String second = host.chat.awaitReplies("dm-kim", 2, Duration.ofSeconds(90)).get(1).get("text").asText();
            assertThat(second).as("the command ran").contains("end").doesNotContain("HOST-SECRET-NOTES");
            assertThat(host.claw4j.store().audit().auditTrail(group)).anyMatch(e -> e.kind().equals("mount.refused")
                    && e.detail().contains(docs + " is a link (to " + secret + ")"));
        }
    }

    /** The id the router gives a per-chat group (its slug plus a hash of the binding key). */
    private static String groupIdOf(String platform, String chat) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256")
                .digest((platform + ":chat:" + chat).getBytes(StandardCharsets.UTF_8));
        return (platform + "-" + chat).replaceAll("[^a-z0-9]+", "-") + "-" + HexFormat.of().formatHex(hash, 0, 3);
    }
}
