package dev.claw4j.web;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.cluster.PostgresWorkSignal;
import dev.claw4j.core.connector.Inbox;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.model.InboundMessage;
import dev.claw4j.core.model.OutboundMessage;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoreLocation;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.web.WebConnectorTest.Event;
import dev.claw4j.web.WebConnectorTest.EventStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hosts on one PostgreSQL, each with its own store handle, work signal and web chat: a reply delivered by either
 * host reaches the open pages of both, each page once, and no page of another chat.
 */
class WebRepliesAcrossHostsTest {
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> open = new ArrayList<>();

    @TempDir
    Path tmp;

    /** One host: its store handle (its own pool), its signal and its web chat. */
    private final class WebHost {
        final String name;
        final Store store;
        final PostgresWorkSignal signal;
        final WebConnector web;
        final Set<String> heardWork = ConcurrentHashMap.newKeySet();

        WebHost(StoreLocation.Postgres db, String name) throws Exception {
            this.name = name;
            store = open(Store.open(db));
            signal = open(new PostgresWorkSignal(store.dataSource(), heardWork::add).start());
            web = open(new WebConnector(new WebSettings(null, 0, null, Files.createDirectories(tmp.resolve(name)))));
            web.shareRepliesAcrossHosts(signal, id -> store.outbox().reply(id));
            web.start(new NoInbox());
        }

        EventStream page(String chat) throws Exception {
            String token = Files.readString(tmp.resolve(name).resolve("web-token")).strip();
            EventStream page = open(EventStream.open(http,
                    URI.create("http://127.0.0.1:" + web.port() + "/api/chats/" + chat + "/events"), "Bearer " + token));
            assertThat(page.next().name()).as("the room's state first").isEqualTo("working");
            return page;
        }

        /** Signals go only to a host already listening: wait until this one hears one. */
        void awaitListening() throws InterruptedException {
            for (int i = 0; i < 100 && !heardWork.contains("ready"); i++) {
                signal.workFor("ready");
                Thread.sleep(100);
            }
            assertThat(heardWork).as("the host listens for signals").contains("ready");
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void aReplyDeliveredOnEitherHostReachesEveryOpenPageOfItsChatOnce() throws Exception {
        StoreLocation.Postgres db = TestDatabase.freshSchema(TestDatabase.server());
        WebHost hostA = new WebHost(db, "a");
        WebHost hostB = new WebHost(db, "b");
        hostA.awaitListening();
        hostB.awaitListening();
        EventStream pageOnA = hostA.page("general");
        EventStream pageOnB = hostB.page("general");
        EventStream otherChatOnB = hostB.page("other");

        // host A holds the group and delivers; the page on host B sees it as well
        long first = hostA.store.outbox().insertReply("g1", "web", "general", null, "made on host A", null,
                List.of(), false);
        hostA.web.deliver(hostA.store.outbox().reply(first).orElseThrow());
        assertReplyOnce(pageOnA, first, "made on host A");
        assertReplyOnce(pageOnB, first, "made on host A");

        // later host B holds it (a takeover): the page on host A sees B's reply
        long second = hostB.store.outbox().insertReply("g1", "web", "general", null, "made on host B", null,
                List.of(), false);
        hostB.web.deliver(hostB.store.outbox().reply(second).orElseThrow());
        assertReplyOnce(pageOnA, second, "made on host B");
        assertReplyOnce(pageOnB, second, "made on host B");

        assertThat(otherChatOnB.poll(Duration.ofMillis(300))).as("nothing for another chat's page").isNull();
    }

    /** The page gets the reply, and nothing more within a second (not a second copy by another host's signal). */
    private void assertReplyOnce(EventStream page, long id, String text) throws Exception {
        Event event = page.next();
        assertThat(event.name()).isEqualTo("message");
        JsonNode line = json.readTree(event.data());
        assertThat(line.get("id").asLong()).isEqualTo(id);
        assertThat(line.get("text").asText()).isEqualTo(text);
        assertThat(line.get("direction").asText()).isEqualTo("out");
        assertThat(page.poll(Duration.ofSeconds(1))).as("the reply once, not twice").isNull();
    }

    private <T extends AutoCloseable> T open(T closeable) {
        open.add(closeable);
        return closeable;
    }

    /** The pages here only listen; nothing is posted. */
    private static final class NoInbox implements Inbox {
        @Override
        public Accepted receive(InboundMessage message) {
            throw new UnsupportedOperationException("nothing is posted in this test");
        }

        @Override
        public List<ChatLine> history(String platform, String chatId) {
            return List.of();
        }
    }
}
