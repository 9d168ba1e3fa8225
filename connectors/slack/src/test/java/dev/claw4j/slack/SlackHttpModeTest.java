package dev.claw4j.slack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.model.InboundMessage;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** HTTP Events API mode: signed requests through Javalin into the real Bolt app. */
class SlackHttpModeTest {
    private FakeSlack slack;
    private SlackConnector connector;
    private final RecordingInbox inbox = new RecordingInbox();
    private URI events;

    @BeforeEach
    void start() throws Exception {
        slack = new FakeSlack().user("UANA", "Ana");
        connector = new SlackConnector(SlackSettings.http(FakeSlack.BOT_TOKEN, FakeSlack.SIGNING_SECRET, 0)
                .withApiUrl(slack.apiUrl()));
        connector.start(inbox);
        events = URI.create("http://127.0.0.1:" + connector.port() + "/slack/events");
    }

    @AfterEach
    void stop() {
        connector.close();
        slack.close();
    }

    @Test
    void aSignedMentionIsAckedOnlyOnceItIsStored() throws Exception {
        String ts = slack.nextTs();
        String body = FakeSlack.callback(FakeSlack.appMention("C1", "UANA", "<@UBOT> hello", ts, null), "Ev1");
        inbox.delayMillis = 500; // a slow commit: the 200 must wait for it
        long started = System.nanoTime();
        HttpResponse<String> response = FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET, Instant.now(), null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(500),
                Duration.ofSeconds(3));
        // no waiting here: when the 200 came, the message was already in the store
        assertThat(inbox.received()).hasSize(1);
        InboundMessage m = inbox.received().getFirst();
        assertThat(m.threadId()).isEqualTo(ts);
        assertThat(m.senderName()).isEqualTo("Ana");
        assertThat(m.text()).isEqualTo("hello");
    }

    @Test
    void aRetryIsAckedAndCarriesTheSamePlatformId() throws Exception {
        String ts = slack.nextTs();
        String body = FakeSlack.callback(FakeSlack.appMention("C1", "UANA", "<@UBOT> once", ts, null), "Ev2");
        assertThat(FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET, Instant.now(), null).statusCode())
                .isEqualTo(200);
        assertThat(FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET, Instant.now(), 1).statusCode())
                .isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> inbox.received().size() == 2);
        assertThat(inbox.received()).extracting(InboundMessage::platformMessageId).containsOnly("C1:" + ts);
        assertThat(inbox.stored()).hasSize(1);
    }

    @Test
    void anEventTheStoreCouldNotTakeIsNotAckedAndItsRetryIs() throws Exception {
        String ts = slack.nextTs();
        String body = FakeSlack.callback(FakeSlack.appMention("C1", "UANA", "<@UBOT> store down", ts, null), "Ev5");
        inbox.failWith = new IllegalStateException("store is down");
        assertThat(FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET, Instant.now(), null).statusCode())
                .as("not stored, not acked: Slack sends it again").isEqualTo(500);
        assertThat(inbox.received()).isEmpty();
        inbox.failWith = null;
        assertThat(FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET, Instant.now(), 1).statusCode())
                .isEqualTo(200);
        assertThat(inbox.stored()).extracting(InboundMessage::text).containsExactly("store down");
    }

    @Test
    void aStoreSlowerThanSlacksWindowIsNotAckedAndTheRetryFindsTheMessageStoredOnce() throws Exception {
        String ts = slack.nextTs();
        String body = FakeSlack.callback(FakeSlack.appMention("C1", "UANA", "<@UBOT> slow", ts, null), "Ev6");
        inbox.delayMillis = SlackConnector.ACK_BUDGET.toMillis() + 500;
        assertThat(FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET, Instant.now(), null).statusCode())
                .isEqualTo(503);
        inbox.delayMillis = 0;
        // Slack's retry: queued behind the first in the channel's lane, it finds the message stored
        assertThat(FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET, Instant.now(), 1).statusCode())
                .isEqualTo(200);
        assertThat(inbox.stored()).extracting(InboundMessage::text).containsExactly("slow");
    }

    @Test
    void aBadSignatureIsRefusedWith401() throws Exception {
        String body = FakeSlack.callback(FakeSlack.appMention("C1", "UANA", "<@UBOT> forged", slack.nextTs(), null), "Ev3");
        HttpResponse<String> response = FakeSlack.postSigned(events, body, "another-secret", Instant.now(), null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(inbox.refusals).singleElement().asString().contains("bad signature");
        Thread.sleep(300);
        assertThat(inbox.received()).isEmpty();
    }

    @Test
    void anOldTimestampIsRefusedWith401EvenWhenCorrectlySigned() throws Exception {
        String body = FakeSlack.callback(FakeSlack.appMention("C1", "UANA", "<@UBOT> replay", slack.nextTs(), null), "Ev4");
        HttpResponse<String> response = FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET,
                Instant.now().minus(Duration.ofMinutes(6)), null);
        assertThat(response.statusCode()).isEqualTo(401);
        Thread.sleep(300);
        assertThat(inbox.received()).isEmpty();
    }

    @Test
    void anUnsignedRequestIsRefused() throws Exception {
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            var response = client.send(java.net.http.HttpRequest.newBuilder(events)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void theUrlVerificationChallengeIsAnswered() throws Exception {
        String body = "{\"token\":\"t\",\"challenge\":\"c-123\",\"type\":\"url_verification\"}";
        HttpResponse<String> response = FakeSlack.postSigned(events, body, FakeSlack.SIGNING_SECRET, Instant.now(), null);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains("c-123");
    }
}
