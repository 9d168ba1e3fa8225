package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.app.Config;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may talk to the bot, through the web chat and the real host, with the real CLI approving codes. */
class AccessIT {
    private static final Pattern CODE = Pattern.compile("code: ([A-Z2-9]{8})");

    @TempDir
    Path data;

    private RunningHost host(Config.Access access) throws Exception {
        return new RunningHost(data, new Config.Sandbox("runsc", true, null, null, null, null, null, "2m", "1m", 4),
                List.of(), "per-chat", access);
    }

    @Test
    void pairingCodeIsShownApprovedWithTheCommandAndThenThePersonIsAnswered() throws Exception {
        try (RunningHost host = host(new Config.Access("pairing", null, null,
                List.of(WebChatClient.senderId("boss"))))) {
            host.chat.post("dm-ana", "ana", "hello, who are you?");
            List<JsonNode> replies = host.chat.awaitReplies("dm-ana", 1, Duration.ofSeconds(30));
            Matcher code = CODE.matcher(replies.getFirst().get("text").asText());
            assertThat(code.find()).as("the stranger gets a code: %s", replies).isTrue();
            assertThat(host.chat.messages("dm-ana").getFirst().get("status").asText()).isEqualTo("REFUSED");

            host.chat.post("dm-ana", "ana", "hello?? anyone?");
            Thread.sleep(1500);
            assertThat(host.chat.replies("dm-ana")).as("one polite answer at most").hasSize(1);
            assertThat(host.model.rawRequests()).as("a stranger's words never reach the model")
                    .noneMatch(r -> r.contains("who are you"));

            approve(code.group(1));

            host.chat.post("dm-ana", "ana", "now can we talk?");
            List<JsonNode> after = host.chat.awaitReplies("dm-ana", 2, Duration.ofSeconds(90));
            assertThat(after.get(1).get("text").asText()).contains("now can we talk?");
            assertThat(host.claw4j.store().audit().auditByKind("access.refused")).hasSizeGreaterThanOrEqualTo(2);
            assertThat(host.claw4j.store().audit().auditByKind("access.granted")).singleElement()
                    .satisfies(e -> assertThat(e.detail()).contains(WebChatClient.senderId("ana")));
        }
    }

    @Test
    void codesArePendingPerPersonSoAFewStrangersLockOutNobody() throws Exception {
        try (RunningHost host = host(new Config.Access("pairing", "approval", null, null, null))) {
            // three strangers each ask as often as they like, in DMs and in their own groups...
            for (String who : List.of("bob", "carl", "dave")) {
                for (int n = 0; n < 4; n++) {
                    host.chat.post("dm-" + who, who, "hi " + n);
                    host.chat.post(who + "-room-" + n, who, "@claw hi");
                }
            }
            for (String who : List.of("bob", "carl", "dave")) {
                assertThat(host.chat.awaitReplies("dm-" + who, 1, Duration.ofSeconds(30)).getFirst().get("text").asText())
                        .containsPattern(CODE);
            }
            // ...and a fourth still gets a code
            host.chat.post("dm-eve", "eve", "hi");
            assertThat(host.chat.awaitReplies("dm-eve", 1, Duration.ofSeconds(30)).getFirst().get("text").asText())
                    .containsPattern(CODE);
            assertThat(host.claw4j.store().audit().auditByKind("access.refused"))
                    .anyMatch(e -> e.detail().contains("per person")
                            && e.detail().contains(WebChatClient.senderId("bob")));
        }
    }

    @Test
    void groupsNeedAMentionAndAnAllowedChatAndAdminsHaveTheirCommands() throws Exception {
        // A web person's id is their browser's, not the typed name: "web:zed" and "web:ana" listed as admins
        // give the people who type those names nothing.
        try (RunningHost host = host(new Config.Access("allowlist", List.of("web:team"),
                List.of(WebChatClient.senderId("ana")),
                List.of(WebChatClient.senderId("boss"), "web:ana", "web:zed")))) {
            host.chat.post("team", "zed", "no mention here");
            host.chat.post("team", "zed", "@claw hello from a stranger in an allowed group");
            assertThat(host.chat.awaitReplies("team", 1, Duration.ofSeconds(90))).hasSize(1);
            host.chat.post("elsewhere", "zed", "@claw hello from a group nobody allowed");
            host.chat.post("dm-zed", "zed", "let me in");
            host.chat.post("dm-zed", "zed", "please");
            assertThat(host.chat.awaitReplies("dm-zed", 1, Duration.ofSeconds(30)).getFirst().get("text").asText())
                    .contains("only talk to people the admin has allowed");
            Thread.sleep(1500);
            assertThat(host.chat.replies("elsewhere")).isEmpty();
            assertThat(host.chat.replies("dm-zed")).hasSize(1);
            assertThat(host.chat.messages("team").getFirst().get("status").asText()).isEqualTo("IGNORED");

            host.chat.post("dm-ana", "ana", "/status");
            assertThat(host.chat.awaitReplies("dm-ana", 1, Duration.ofSeconds(30)).getFirst().get("text").asText())
                    .isEqualTo("Only admins can use /status.");
            host.chat.post("dm-boss", "boss", "/status");
            assertThat(host.chat.awaitReplies("dm-boss", 1, Duration.ofSeconds(30)).getFirst().get("text").asText())
                    .contains("group(s)").contains("gvisor (runsc)");
            host.chat.post("dm-boss", "boss", "/usage");
            assertThat(host.chat.awaitReplies("dm-boss", 2, Duration.ofSeconds(30)).get(1).get("text").asText())
                    .contains("Usage per group").contains("web-team-").contains("tokens");
            String team = host.claw4j.store().groups().groupForBinding("web:chat:team").orElseThrow();
            host.chat.post("dm-boss", "boss", "/reset " + team);
            assertThat(host.chat.awaitReplies("dm-boss", 3, Duration.ofSeconds(30)).get(2).get("text").asText())
                    .contains(team).contains("fresh conversation");
            assertThat(host.claw4j.store().audit().auditTrail(team)).anyMatch(e -> e.kind().equals("session.reset"));
        }
    }

    /** The real command, in its own process, against the running host's database. */
    private void approve(String code) throws Exception {
        Path config = data.resolve("cli.yaml");
        Files.writeString(config, "dataDir: " + data + "\n");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process cli = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dclaw4j.home=" + System.getProperty("claw4j.home"),
                "dev.claw4j.app.Main", "access", "approve", code, "--config", config.toString())
                .redirectErrorStream(true).start();
        assertThat(cli.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(cli.getInputStream().readAllBytes());
        assertThat(cli.exitValue()).as(out).isZero();
        assertThat(out).contains("approved ana (" + WebChatClient.senderId("ana") + ")");
    }
}
