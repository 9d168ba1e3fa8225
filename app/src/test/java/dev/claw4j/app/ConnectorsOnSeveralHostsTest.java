package dev.claw4j.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.core.store.StoreLocation;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.discord.DiscordConnector;
import dev.claw4j.discord.DiscordSettings;
import dev.claw4j.discord.fake.FakeDiscord;
import dev.claw4j.telegram.FakeBotApi;
import dev.claw4j.telegram.TelegramConnector;
import dev.claw4j.telegram.TelegramSettings;
import dev.claw4j.web.WebConnector;
import dev.claw4j.web.WebSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two whole hosts ({@link Claw4j}, as {@code Claw4j.start} wires them) on one PostgreSQL, each with its connectors
 * pointed at one wire-level fake: only one host polls Telegram and the other goes on from the stored cursor when it
 * stops; Discord's shards are divided between the live hosts and follow them; a web chat page on either host gets a
 * reply the other delivered. No sandboxes: the connectors are under test, not the turns (the replies here are the
 * host's own: a turn that could not start says so).
 */
class ConnectorsOnSeveralHostsTest {
    private static final ModelSettings MODEL = NoSandboxes.NO_MODEL;
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    /** A started host on the shared database: a lease of 3 s renewed every second, no console, shared folders. */
    private Claw4j host(StoreLocation.Postgres db, String name, Connector connector) {
        Path dataDir = tmp.resolve(name);
        Install.id(dataDir);
        Config config = Config.defaults().withDataDir(dataDir)
                .withStore(new Config.Database("postgres", db.url(), db.user(), db.password()))
                .withCluster(new Config.Cluster(3, 1, "../shared"))
                .withAdmin(new Config.Admin(false, null, null));
        Claw4j host = new Claw4j(config, new NoSandboxes(), MODEL, List.of(connector));
        open.add(host);
        host.start();
        return host;
    }

    /** Stops a host in good order (it gives its leases up), once. */
    private void stop(Claw4j host) {
        open.remove(host);
        host.close();
    }

    /** What people said in a chat, as stored (the bot's own answers left out: here they ask for pairing). */
    private static List<String> said(Claw4j host, String platform, String chat) {
        return host.host().history(platform, chat).stream().filter(l -> l.direction().equals("in"))
                .map(l -> l.text().replaceFirst("^<@\\d+> ", "")).toList();
    }

    @Test
    void onlyOneHostPollsTelegramAndTheOtherGoesOnFromTheStoredCursorWhenItStops() throws Exception {
        FakeBotApi telegram = new FakeBotApi();
        open.add(telegram);
        StoreLocation.Postgres db = TestDatabase.freshSchema(TestDatabase.server());
        Function<String, Connector> connector = name -> new TelegramConnector(TelegramSettings.polling(FakeBotApi.TOKEN,
                telegram.url(), tmp.resolve(name + "-telegram")).withPollTimeout(Duration.ofSeconds(2)));
        Claw4j a = host(db, "a", connector.apply("a"));
        Claw4j b = host(db, "b", connector.apply("b"));
        String cursor = "telegram:" + FakeBotApi.BOT_ID;

        long first = telegram.send(telegram.dm(501, "ana", "hello"));
        await().atMost(WAIT).until(() -> b.store().cursors().cursor(cursor).orElse(0) == first + 1); // the next to ask
        // both hosts run for three lease renewals: never two long polls at once (Telegram would refuse the second)
        int most = 0;
        for (long end = System.nanoTime() + Duration.ofSeconds(3).toNanos(); System.nanoTime() < end; ) {
            most = Math.max(most, telegram.activePolls());
            Thread.sleep(50);
        }
        assertThat(most).as("long polls open at once").isEqualTo(1);

        // the polling host stops; the other takes the leader lease over and polls from the stored cursor
        stop(a);
        Instant stopped = Instant.now();
        long second = telegram.send(telegram.dm(501, "ana", "still there?"));
        await().atMost(WAIT).until(() -> b.store().cursors().cursor(cursor).orElse(0) == second + 1);
        List<FakeBotApi.Call> polls = telegram.calls("getUpdates").stream().filter(c -> c.at().isAfter(stopped))
                .toList();
        assertThat(polls).isNotEmpty().allSatisfy(call ->
                assertThat(call.params().path("offset").asLong()).as("offset of %s", call).isGreaterThan(first));
        assertThat(said(b, "telegram", "501")).containsExactly("hello", "still there?");
    }

    @Test
    void discordShardsAreDividedBetweenTheLiveHostsAndFollowThem() throws Exception {
        FakeDiscord discord = new FakeDiscord("fake-token.abc.def");
        open.add(discord);
        StoreLocation.Postgres db = TestDatabase.freshSchema(TestDatabase.server());
        Function<String, Connector> connector = name -> new DiscordConnector(DiscordSettings.of("fake-token.abc.def")
                .withEndpoints(discord.restUrl(), null).withShards(2));
        Claw4j a = host(db, "a", connector.apply("a"));
        await().atMost(WAIT).until(() -> discord.identifies() == 2); // alone, host A runs both shards
        Claw4j b = host(db, "b", connector.apply("b"));
        // within a few renewals A gives one shard up and B takes it: one more IDENTIFY, by B
        await().atMost(WAIT).until(() -> discord.identifies() == 3);

        String mention = "<@" + FakeDiscord.BOT_ID + "> ";
        discord.say(FakeDiscord.GENERAL, "1400000000000000001", "alice", mention + "on shard zero");
        discord.say(FakeDiscord.OTHER_GUILD_CHANNEL, "1400000000000000001", "alice", mention + "on shard one");
        await().atMost(WAIT).until(() -> said(b, "discord", FakeDiscord.GENERAL).size() == 1
                && said(b, "discord", FakeDiscord.OTHER_GUILD_CHANNEL).size() == 1);

        // host A stops: B is the only live host and takes A's shard too, reading what was said there meanwhile
        stop(a);
        discord.say(FakeDiscord.GENERAL, "1400000000000000001", "alice", mention + "anyone on shard zero?");
        await().atMost(WAIT).until(() -> discord.identifies() == 4);
        await().atMost(WAIT).until(() -> said(b, "discord", FakeDiscord.GENERAL).size() == 2);
    }

    @Test
    void aWebChatPageOnEitherHostGetsTheReplyOnce() throws Exception {
        StoreLocation.Postgres db = TestDatabase.freshSchema(TestDatabase.server());
        WebConnector webA = new WebConnector(new WebSettings(null, 0, null, tmp.resolve("a")));
        WebConnector webB = new WebConnector(new WebSettings(null, 0, null, tmp.resolve("b")));
        Claw4j a = host(db, "a", webA);
        host(db, "b", webB);
        HttpClient http = HttpClient.newHttpClient();
        BlockingQueue<String> pageOnA = events(http, webA, tmp.resolve("a"), "dm-ana");
        BlockingQueue<String> pageOnB = events(http, webB, tmp.resolve("b"), "dm-ana");
        Thread.sleep(1000); // both hosts listen for signals by now (the listening connection opens at start)

        // posted to host A, which takes the new group and delivers its reply; the page on host B gets it too
        HttpResponse<String> posted = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + webA.port()
                        + "/api/chats/dm-ana/messages")).header("Authorization", "Bearer " + token(tmp.resolve("a")))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\": \"ana\", \"text\": \"hello\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(202);
        String onA = pageOnA.poll(30, TimeUnit.SECONDS);
        String onB = pageOnB.poll(30, TimeUnit.SECONDS);
        assertThat(onA).as("the reply on host A's page").isNotNull();
        assertThat(onB).as("the reply on host B's page").isNotNull();
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        for (String field : List.of("id", "direction", "text")) { // "at" is when each host pushed it
            assertThat(json.readTree(onB).get(field)).as(field).isEqualTo(json.readTree(onA).get(field));
        }
        assertThat(a.host().history("web", "dm-ana")).filteredOn(l -> l.direction().equals("out")).hasSize(1);
        assertThat(pageOnA.poll(1, TimeUnit.SECONDS)).as("once on A").isNull();
        assertThat(pageOnB.poll(0, TimeUnit.SECONDS)).as("once on B").isNull();
    }

    private static String token(Path dataDir) throws java.io.IOException {
        return Files.readString(dataDir.resolve("web-token")).strip();
    }

    /** The data of the {@code message} events (replies) a page of the chat gets, as they come. */
    private BlockingQueue<String> events(HttpClient http, WebConnector web, Path dataDir, String chat)
            throws Exception {
        BlockingQueue<String> replies = new LinkedBlockingQueue<>();
        HttpResponse<java.util.stream.Stream<String>> stream = http.send(HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + web.port() + "/api/chats/" + chat + "/events"))
                .header("Authorization", "Bearer " + token(dataDir)).header("Accept", "text/event-stream").build(),
                HttpResponse.BodyHandlers.ofLines());
        assertThat(stream.statusCode()).isEqualTo(200);
        Thread reader = Thread.ofVirtual().start(() -> {
            String event = null;
            for (String line : (Iterable<String>) stream.body()::iterator) {
                if (line.startsWith("event:")) {
                    event = line.substring(6).strip();
                } else if (line.startsWith("data:") && "message".equals(event)) {
                    replies.add(line.substring(5).strip());
                }
            }
        });
        open.add(reader::interrupt);
        return replies;
    }
}
