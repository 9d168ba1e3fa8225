package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.sandbox.AgentImage;
import dev.claw4j.sandbox.DockerClients;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17's crashes under load: 100 web chats talk to a real host process (a few at a time, each waiting for its
 * reply, a scripted model with some latency, few sandboxes) while the host is killed with SIGKILL three times and
 * started again, one sandbox is killed by the kernel for using too much memory, and the Docker daemon is restarted
 * once. The daemon is a private one (the shared daemon other tests use is never touched). At the end every message
 * has exactly one reply, the host left no container behind, and its log says how it recovered from each blow.
 * The moments are random; the seed is printed (set {@code -Dcrashload.seed=N} to run the same schedule again).
 */
class CrashUnderLoadIT {
    private static final int CHATS = Integer.getInteger("crashload.chats", 100);
    private static final int MESSAGES = 2;
    private static final int TALKING = 4;
    private static final int HOST_KILLS = 3;
    /** Far more than the load takes on a quiet machine: the 2 shared cores are often busy with other builds. */
    private static final Duration LOAD_DEADLINE = Duration.ofSeconds(480);
    private static final String OOM_CHAT = "dm-load-000";
    /** bash's tail keeps a whole "line" in memory: 1.5 GB of zeros without a newline is far past the limit. */
    private static final String OOM_TEXT = "run: head -c 1500m /dev/zero | tail | wc -c";
    private static final Set<String> WAITING = Set.of("PENDING", "RUNNING");

    @TempDir
    Path dir;

    @Test
    void hostKillsAnOomAndADaemonRestartUnderLoadLeaveEveryMessageAnsweredOnce() throws Exception {
        long seed = Long.getLong("crashload.seed", System.nanoTime());
        System.out.println("[crash-load] seed " + seed + " (rerun with -Dcrashload.seed=" + seed + ")");
        Random random = new Random(seed);
        long began = System.nanoTime();
        // the image is built on (or found in) the shared daemon, then copied into the private one
        try (var shared = DockerClients.connect()) {
            AgentImage.ensure(shared, Path.of(System.getProperty("claw4j.agentJar")), line -> { });
        }
        try (PrivateDockerd docker = PrivateDockerd.start(); DemoModelServer demo = new DemoModelServer(0);
             SlowModel model = new SlowModel(demo.start(), 100, 50); KeptLogs kept = new KeptLogs(dir)) {
            docker.loadFromShared(AgentImage.TAG, AgentImage.BASE);
            HostProcess host = new HostProcess(dir, """
                    model: { provider: openai, name: claw4j-demo, apiKey: demo, baseUrl: "%s" }
                    sandbox: { runtime: runsc, memory: 384m, maxSandboxes: 4, idleTimeout: 1m, turnTimeout: 2m }
                    access: { dm: open }
                    admin: { console: false }
                    connectors:
                      web: { port: WEB_PORT }
                    """.formatted(model.baseUrl())).env("DOCKER_HOST", docker.host());
            WebChatClient chat = host.chat();
            System.out.printf("[crash-load] private dockerd ready with the image after %d s; host up in %d ms%n",
                    (System.nanoTime() - began) / 1_000_000_000, host.start());

            // the blows, in a seeded order at seeded moments: three host kills and one daemon restart
            List<String> blows = new ArrayList<>(List.of("kill", "kill", "kill"));
            blows.add(random.nextInt(HOST_KILLS + 1), "dockerd");
            List<Long> gaps = new ArrayList<>();
            for (int i = 0; i < blows.size(); i++) {
                gaps.add(4_000L + random.nextInt(i == 0 ? 6_000 : 12_000));
            }
            System.out.println("[crash-load] blows " + blows + " after gaps (ms) " + gaps);

            AtomicInteger chatsDone = new AtomicInteger();
            List<String> trouble = new CopyOnWriteArrayList<>();
            List<Taken> taken = new CopyOnWriteArrayList<>();
            long loadStart = System.nanoTime();
            long loadDeadline = loadStart + LOAD_DEADLINE.toNanos();
            ExecutorService talkers = Executors.newFixedThreadPool(TALKING, Thread.ofVirtual().factory());
            for (int c = 0; c < CHATS; c++) {
                String room = "dm-load-%03d".formatted(c);
                talkers.submit(() -> {
                    try {
                        for (int k = 0; k < MESSAGES; k++) {
                            String text = room.equals(OOM_CHAT) && k == 0 ? OOM_TEXT : room + " message " + k;
                            Taken t = post(host, chat, room, k, text, "crashload-" + seed + "-" + room + "-" + k,
                                    loadStart, loadDeadline);
                            taken.add(t);
                            awaitAnswered(chat, t, loadDeadline);
                        }
                        chatsDone.incrementAndGet();
                    } catch (Throwable e) {
                        trouble.add(room + ": " + e);
                    }
                });
            }
            talkers.shutdown();

            for (int i = 0; i < blows.size(); i++) {
                Thread.sleep(gaps.get(i));
                if (talkers.isTerminated()) {
                    throw new AssertionError("the load ended before blow " + i + " (" + blows.get(i) + "); "
                            + "make the gaps shorter or the load longer");
                }
                long at = (System.nanoTime() - loadStart) / 1_000_000;
                if (blows.get(i).equals("kill")) {
                    host.kill();
                    long up = host.start();
                    System.out.printf("[crash-load] %6d ms: SIGKILL to the host (%d chats done); up again in %d ms%n",
                            at, chatsDone.get(), up);
                } else {
                    long t0 = System.nanoTime();
                    docker.restart(Duration.ofSeconds(3));
                    System.out.printf("[crash-load] %6d ms: dockerd restarted (SIGTERM, 3 s down; %d chats done); "
                            + "answering again after %d ms%n", at, chatsDone.get(), (System.nanoTime() - t0) / 1_000_000);
                }
            }
            assertThat(talkers.awaitTermination(LOAD_DEADLINE.toSeconds() + 30, java.util.concurrent.TimeUnit.SECONDS))
                    .as("the load finished").isTrue();
            System.out.printf("[crash-load] load done: %d/%d chats in %d s%n", chatsDone.get(), CHATS,
                    (System.nanoTime() - loadStart) / 1_000_000_000);
            assertThat(trouble).as("every chat got its replies (seed %d); host log: %s", seed, host.log()).isEmpty();

            // the OOM-killed turn's reply, as the person sees it: short, plain, no stack trace; the chat carries on
            List<JsonNode> oomChat = chat.messages(OOM_CHAT);
            String oomReply = replyTo(oomChat, OOM_TEXT);
            System.out.println("[crash-load] the OOM chat was told: " + oomReply);
            assertThat(oomReply).contains("ran out of memory").hasSizeLessThan(300)
                    .doesNotContain("Exception").doesNotContain("\tat ");
            assertThat(replyTo(oomChat, OOM_CHAT + " message 1")).isNotBlank();

            Thread.sleep(2_000); // room for a doubled reply to show up
            String install = host.installId();
            assertThat(host.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 143);
            assertThat(docker.docker("ps", "-a", "-q", "--filter", "label=dev.claw4j.install=" + install).strip())
                    .as("containers of the host left after it stopped").isEmpty();

            try (Connection db = host.openStore()) {
                // first: the sandbox really died of OOM (Docker's OOMKilled, as the host audited it)
                assertThat(strings(db, "SELECT a.detail FROM audit_events a JOIN bindings b ON b.group_id = a.group_id "
                        + "WHERE b.binding_key = ? AND a.kind = 'sandbox.crashed'", "web:chat:" + OOM_CHAT))
                        .as("the OOM chat's sandbox was killed for memory (it may also have been stopped by a blow)")
                        .anyMatch(d -> d.contains("out of memory"));
                // then: every message the host took (answered 202) is stored, by the id it answered with
                List<Taken> lost = new ArrayList<>();
                for (Taken t : taken) {
                    if (count(db, "SELECT COUNT(*) FROM messages WHERE id = ? AND direction = 'in' AND chat_id = ?",
                            t.id(), t.room()) != 1) {
                        lost.add(t);
                    }
                }
                assertThat(lost).as("messages taken (202) and missing from the store after the run (seed %d)", seed)
                        .isEmpty();
                // and every message answered exactly once
                int in = 0;
                for (int c = 0; c < CHATS; c++) {
                    String room = "dm-load-%03d".formatted(c);
                    List<String> statuses = strings(db, "SELECT status FROM messages WHERE platform = 'web' "
                            + "AND chat_id = ? AND direction = 'in' ORDER BY id", room);
                    in += statuses.size();
                    // a retried POST carries the same client id, so a lost 202 does not make a second message
                    assertThat(statuses).as("messages of %s (seed %d; taken: %s)", room, seed, takenOf(taken, room))
                            .hasSize(MESSAGES).allMatch(s -> !WAITING.contains(s));
                    assertThat(count(db, "SELECT COUNT(*) FROM messages o WHERE o.direction = 'out' AND o.chat_id = ? "
                            + "AND o.platform = 'web' AND (o.in_reply_to IS NULL OR o.in_reply_to IN (SELECT o2.in_reply_to "
                            + "FROM messages o2 WHERE o2.direction = 'out' AND o2.chat_id = ? AND o2.id <> o.id))",
                            room, room)).as("replies of %s with no message or a message answered twice (seed %d; taken: %s)",
                            room, seed, takenOf(taken, room)).isZero();
                    long replies = count(db, "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND chat_id = ? "
                            + "AND platform = 'web'", room);
                    assertThat(replies).as("replies of %s (seed %d; taken: %s)", room, seed, takenOf(taken, room))
                            .isBetween(1L, (long) statuses.size());
                }
                System.out.printf("[crash-load] %d messages stored (%d sent), each answered once%n", in, CHATS * MESSAGES);
            }

            // the host said how it recovered from each blow
            String logs = allLogs(dir);
            assertThat(Pattern.compile("removed \\d+ sandbox\\(es\\) left by an earlier run|picked up unfinished work")
                    .matcher(logs).results().count()).as("recoveries logged after the kills").isGreaterThanOrEqualTo(HOST_KILLS);
            assertThat(logs).as("the host noticed Docker went away and came back").contains("the sandbox runtime is unreachable")
                    .contains("the sandbox runtime answers again");
            System.out.printf("[crash-load] took %d s%n", (System.nanoTime() - began) / 1_000_000_000);
        }
    }

    // ---------------------------------------------------------------- the people

    /**
     * A message the host took: it answered the POST with 202 and this id, {@code atMs} into the load, in its run
     * {@code hostRun} (read when the answer came; a kill a moment later may have started the next run).
     */
    record Taken(String room, int k, long id, boolean duplicate, long atMs, int hostRun) {
        @Override
        public String toString() {
            return "message " + k + " of " + room + " = id " + id + (duplicate ? " (a retry the host had)" : "")
                    + ", taken at " + atMs + " ms by host run " + hostRun;
        }
    }

    private static List<Taken> takenOf(List<Taken> taken, String room) {
        return taken.stream().filter(t -> t.room().equals(room)).toList();
    }

    /**
     * Posts until the host takes it (202): while it is down (killed, restarting) the POST fails and is tried again,
     * with the same client id, so a 202 lost with a killed host does not make the message twice.
     */
    private static Taken post(HostProcess host, WebChatClient chat, String room, int k, String text, String clientId,
                              long loadStart, long deadline) throws Exception {
        while (true) {
            try {
                WebChatClient.Posted posted = chat.post(room, "person-" + room, text, clientId);
                return new Taken(room, k, posted.id(), posted.duplicate(), (System.nanoTime() - loadStart) / 1_000_000,
                        host.runs());
            } catch (IOException | IllegalStateException down) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("could not post to " + room + ": " + down);
                }
                Thread.sleep(200);
            }
        }
    }

    /**
     * Waits until the message the host took is answered (neither waits nor runs), reading through host restarts.
     * A host that answers the history without it has lost a message it took: that fails at once, with its id.
     */
    private static void awaitAnswered(WebChatClient chat, Taken taken, long deadline) throws Exception {
        List<JsonNode> last = List.of();
        while (System.nanoTime() < deadline) {
            try {
                last = chat.messages(taken.room());
                JsonNode mine = last.stream().filter(m -> m.get("direction").asText().equals("in"))
                        .filter(m -> m.get("id").asLong() == taken.id()).findFirst().orElse(null);
                if (mine == null) {
                    throw new AssertionError("LOST: " + taken + "; the host's history of the chat no longer has it: "
                            + last);
                }
                if (!WAITING.contains(mine.get("status").asText())) {
                    return;
                }
            } catch (IOException | IllegalStateException down) {
                // the host is being restarted
            }
            Thread.sleep(250 + ThreadLocalRandom.current().nextInt(100));
        }
        throw new AssertionError(taken + " was not answered in time; the chat's messages: " + last);
    }

    private static String replyTo(List<JsonNode> messages, String text) {
        long id = messages.stream().filter(m -> m.get("direction").asText().equals("in"))
                .filter(m -> m.get("text").asText().equals(text)).findFirst()
                .orElseThrow(() -> new AssertionError("no message '" + text + "' in " + messages)).get("id").asLong();
        // the reply after it (a reply answers the last message of its turn)
        return messages.stream().filter(m -> m.get("direction").asText().equals("out"))
                .filter(m -> m.get("id").asLong() > id).findFirst()
                .orElseThrow(() -> new AssertionError("no reply after '" + text + "' in " + messages))
                .get("text").asText();
    }

    private static String allLogs(Path dir) throws IOException {
        StringBuilder all = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.getFileName().toString().matches("host-\\d+\\.log")).sorted().toList()) {
                all.append(Files.readString(p));
            }
        }
        return all.toString();
    }

    /** Copies the host's logs to target/crash-under-load when the test ends, pass or fail (the temp dir goes). */
    private record KeptLogs(Path dir) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            Path to = Path.of("target", "crash-under-load");
            Files.createDirectories(to);
            try (var files = Files.list(dir)) {
                for (Path p : files.filter(f -> f.getFileName().toString().endsWith(".log")).toList()) {
                    Files.copy(p, to.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.out.println("[crash-load] host logs kept in " + to.toAbsolutePath());
        }
    }

    // ---------------------------------------------------------------- the store of the stopped host

    private static long count(Connection db, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(db, sql, args); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static List<String> strings(Connection db, String sql, Object... args) throws SQLException {
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = bind(db, sql, args); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    private static PreparedStatement bind(Connection db, String sql, Object... args) throws SQLException {
        PreparedStatement ps = db.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    // ---------------------------------------------------------------- the model

    /** The demo model, each chat completion held back {@code mean ± spread} ms, as a real model takes its time. */
    private static final class SlowModel implements AutoCloseable {
        private final HttpServer server;
        private final HttpClient http = HttpClient.newHttpClient();

        SlowModel(DemoModelServer demo, int mean, int spread) throws IOException {
            String target = demo.baseUrl().replaceFirst("/v1$", "");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> relay(exchange, target, mean, spread));
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        }

        private void relay(HttpExchange exchange, String target, int mean, int spread) throws IOException {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                if (exchange.getRequestURI().getPath().endsWith("/chat/completions")) {
                    Thread.sleep(mean - spread + ThreadLocalRandom.current().nextLong(2L * spread + 1));
                }
                var request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                        .header("Content-Type", "application/json")
                        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body)).build();
                HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
                exchange.getResponseBody().write(answer.body());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
