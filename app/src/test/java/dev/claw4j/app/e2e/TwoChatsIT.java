package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two people, two chats, two agents in two gVisor sandboxes. Alice's agent writes a secret; Bob's agent
 * tries every path to it and must find nothing, and nothing of Alice's conversation may reach the model
 * in Bob's requests.
 */
class TwoChatsIT {
    @TempDir
    Path data;

    @Test
    void eachChatHasItsOwnAgentAndNeitherSeesTheOther() throws Exception {
        try (RunningHost host = new RunningHost(data, 4, "1m")) {
            host.chat.post("dm-alice", "alice", "run: echo SECRET-A-4711 > /workspace/group/alice.txt && echo stored");
            List<JsonNode> aliceReplies = host.chat.awaitReplies("dm-alice", 1, Duration.ofSeconds(90));
            assertThat(aliceReplies.getFirst().get("text").asText()).contains("stored");

            String aliceGroup = host.claw4j.store().groups().groupForBinding("web:chat:dm-alice").orElseThrow();
            Path aliceFile = data.resolve("groups").resolve(aliceGroup).resolve("alice.txt");
            assertThat(Files.readString(aliceFile)).isEqualTo("SECRET-A-4711\n");

            String probe = "run: echo BOB-PROBE; cat alice.txt ../" + aliceGroup + "/alice.txt /workspace/../groups/"
                    + aliceGroup + "/alice.txt " + aliceFile + " 2>&1; ls -la / /workspace 2>&1; "
                    + "find / -name alice.txt -not -path '/proc/*' 2>/dev/null; grep -rs SECRET-A /workspace /tmp; echo done";
            host.chat.post("dm-bob", "bob", probe);
            List<JsonNode> bobReplies = host.chat.awaitReplies("dm-bob", 1, Duration.ofSeconds(90));
            String bobSaw = bobReplies.getFirst().get("text").asText();
            assertThat(bobSaw).contains("BOB-PROBE").contains("done").doesNotContain("SECRET-A-4711");

            String bobGroup = host.claw4j.store().groups().groupForBinding("web:chat:dm-bob").orElseThrow();
            assertThat(bobGroup).isNotEqualTo(aliceGroup);

            // nothing of Alice's conversation ever reached the model in a request made for Bob
            List<String> bobRequests = host.model.rawRequests().stream().filter(r -> r.contains("BOB-PROBE")).toList();
            assertThat(bobRequests).isNotEmpty();
            // (the probe names Alice's folder, so only her secret and her own words must never appear)
            assertThat(bobRequests).hasSizeGreaterThanOrEqualTo(2) // the command, then its output back to the model
                    .noneMatch(r -> r.contains("SECRET-A-4711") || r.contains("alice: run"));

            // both agents ran in their own sandbox, on gVisor, and the audit trail says so
            assertThat(host.claw4j.store().audit().auditTrail(aliceGroup)).anyMatch(e -> e.kind().equals("tool.finished"))
                    .allMatch(e -> "gvisor (runsc)".equals(e.isolation()));
            assertThat(host.claw4j.store().audit().auditTrail(bobGroup)).anyMatch(e -> e.kind().equals("model.call"));
        }
    }

    @Test
    void groupChatsNeedAMentionAndResetStartsAFreshSession() throws Exception {
        try (RunningHost host = new RunningHost(data, 4, "1m")) {
            host.chat.post("team", "carol", "just chatting, not for the bot");
            host.chat.post("team", "carol", "@claw hello there");
            List<JsonNode> replies = host.chat.awaitReplies("team", 1, Duration.ofSeconds(90));
            assertThat(replies).hasSize(1);
            List<JsonNode> all = host.chat.messages("team");
            assertThat(all.getFirst().get("status").asText()).isEqualTo("IGNORED");

            host.chat.post("team", "carol", "@claw /reset");
            List<JsonNode> afterReset = host.chat.awaitReplies("team", 2, Duration.ofSeconds(30));
            assertThat(afterReset.get(1).get("text").asText()).contains("fresh conversation");
            String group = host.claw4j.store().groups().groupForBinding("web:chat:team").orElseThrow();
            assertThat(data.resolve("groups").resolve(group).resolve(".claw4j/session.jsonl")).doesNotExist();
        }
    }
}
