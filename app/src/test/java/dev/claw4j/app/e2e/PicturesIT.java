package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.app.Config;
import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.telegram.FakeBotApi;
import dev.claw4j.telegram.TelegramConnector;
import dev.claw4j.telegram.TelegramSettings;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A photo sent through the wire-level Telegram fake, through the real host, real gVisor sandbox and real agent, to
 * the scripted OpenAI-compatible model: a model with {@code images: true} receives it as an image_url data URL part
 * of the user message; the default model (images off) gets the text note instead, and no image.
 */
class PicturesIT {
    private static final Duration TURN = Duration.ofSeconds(90);

    @TempDir
    Path data;

    FakeBotApi telegram;

    @BeforeEach
    void fake() throws Exception {
        telegram = new FakeBotApi();
    }

    @AfterEach
    void stop() {
        telegram.close();
    }

    @Test
    void aPhotoReachesAModelThatTakesImagesAsImageContentAndAnotherModelAsANote() throws Exception {
        byte[] png = png(); // Telegram names it .jpg; the host goes by the magic bytes
        try (DemoModelServer eyes = new DemoModelServer(0).start()) {
            String seeing = groupId("telegram:chat:1001", "telegram-1001");
            try (RunningHost host = host(eyes, seeing)) {
                telegram.send(telegram.withPhoto(telegram.dm(1001, "Alice", "what is on this picture?"), png));
                awaitReplies("1001", 1);
                assertThat(host.claw4j.store().groups().groupForBinding("telegram:chat:1001")).contains(seeing);

                String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
                String asked = eyes.rawRequests().stream().filter(r -> r.contains("what is on this picture?"))
                        .findFirst().orElseThrow();
                var lastUser = eyes.requests().stream().filter(r -> r.toString().contains("what is on this picture?"))
                        .findFirst().orElseThrow().path("messages");
                var content = lastUser.get(lastUser.size() - 1).path("content");
                assertThat(content.isArray()).as("the user message has parts: " + content).isTrue();
                assertThat(content).anySatisfy(part -> {
                    assertThat(part.path("type").asText()).isEqualTo("image_url");
                    assertThat(part.path("image_url").path("url").asText()).isEqualTo(dataUrl);
                });
                assertThat(asked).contains("an image, shown to you with this message")
                        .doesNotContain("does not take images");
                assertThat(host.model.rawRequests()).as("the default model saw nothing of it")
                        .noneMatch(r -> r.contains("what is on this picture?"));

                telegram.send(telegram.withPhoto(telegram.dm(1002, "Bob", "and this one?"), png));
                awaitReplies("1002", 1);
                String told = host.model.rawRequests().stream().filter(r -> r.contains("and this one?"))
                        .findFirst().orElseThrow();
                assertThat(told).contains("an image was attached: inbox/").contains("this model does not take images")
                        .doesNotContain("image_url").doesNotContain(dataUrl);
                // the picture stays in the group's inbox as before
                String plain = host.claw4j.store().groups().groupForBinding("telegram:chat:1002").orElseThrow();
                try (var files = java.nio.file.Files.list(data.resolve("groups").resolve(plain).resolve("inbox"))) {
                    assertThat(files.toList()).singleElement()
                            .satisfies(f -> assertThat(java.nio.file.Files.readAllBytes(f)).isEqualTo(png));
                }
            }
        }
    }

    /**
     * The agent overwrites the picture in its inbox before its next model call (the attack ran: the host's view of
     * the file changes); the model is still shown the host's own copy, and never the agent's bytes.
     */
    @Test
    void theModelSeesTheHostsCopyEvenWhenTheAgentRewritesTheInboxFile() throws Exception {
        byte[] png = png();
        try (DemoModelServer eyes = new DemoModelServer(0).start()) {
            String seeing = groupId("telegram:chat:1003", "telegram-1003");
            try (RunningHost host = host(eyes, seeing)) {
                telegram.send(telegram.withPhoto(telegram.dm(1003, "Cleo",
                        "run: for f in inbox/*; do printf FORGED-BYTES > \"$f\"; done; cat inbox/*"), png));
                // the agent's command ran, and the answer quotes what it left in the inbox
                await().atMost(TURN).until(() -> telegram.sentTo("1003").stream().map(c -> c.param("text"))
                        .anyMatch(t -> t != null && FakeBotApi.visibleText(t).contains("FORGED-BYTES")));
                try (var files = java.nio.file.Files.list(data.resolve("groups").resolve(seeing).resolve("inbox"))) {
                    assertThat(files.toList()).singleElement().satisfies(f -> assertThat(
                            java.nio.file.Files.readString(f)).isEqualTo("FORGED-BYTES"));
                }
                String dataUrl = "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
                String forged = Base64.getEncoder().encodeToString("FORGED-BYTES".getBytes(StandardCharsets.UTF_8));
                assertThat(eyes.rawRequests()).as("both model calls of the turn carry the original")
                        .filteredOn(r -> r.contains(dataUrl)).hasSize(2);
                assertThat(eyes.rawRequests()).noneMatch(r -> r.contains(forged));
            }
        }
    }

    private RunningHost host(DemoModelServer eyes, String seeing) throws Exception {
        return new RunningHost(data, config -> config
                .withBinding(new Config.Binding("per-chat"))
                .withModel(new Config.Model("openai", "claw4j-demo", "demo-key", null, null, null, 0, null, null,
                        null, null,
                        Map.of("eyes", new Config.OtherModel(null, "claw4j-eyes", null, eyes.baseUrl(), null, null,
                                0, true)),
                        Map.of(seeing, "eyes"))),
                List.of(new TelegramConnector(TelegramSettings.polling(FakeBotApi.TOKEN, telegram.url(),
                        data.resolve("telegram")).withPollTimeout(Duration.ofSeconds(5)))));
    }

    private void awaitReplies(String chatId, int n) {
        await().atMost(TURN).until(() -> telegram.sentTo(chatId).size() >= n);
    }

    /** The id the per-chat binding gives a chat (Router's rule: a readable slug and a short hash of the key). */
    private static String groupId(String key, String slug) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        return slug + "-" + HexFormat.of().formatHex(digest, 0, 3);
    }

    private static byte[] png() throws Exception {
        BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(Color.RED);
        g.fillRect(0, 0, 32, 24);
        g.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
