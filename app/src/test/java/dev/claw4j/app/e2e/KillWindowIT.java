package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.telegram.FakeBotApi;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's kill window: a real host process, fed by the Telegram fake (long polling) and the web API, is killed
 * with SIGKILL at moments spread across a message's whole path and started again. Nothing acknowledged is lost
 * (a 202'd web message, a Telegram update below the saved offset), nothing is answered twice, and after every
 * kill, before the restart, the saved offset never runs ahead of the store.
 */
class KillWindowIT {
    private static final int ROUNDS = 20;
    private static final long MAX_DELAY_MS = 2_000;
    /** The fake caps every long poll at this, so a poll a killed host left open ends soon. */
    private static final Duration MAX_POLL = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    /** One message a round sent: where, and what identifies it in the store. */
    private record Sent(int round, String platform, String chat, long updateId, String platformMessageId,
                        String text) {
        boolean telegram() {
            return platform.equals("telegram");
        }
    }

    @Test
    void twentyKillsAcrossAMessagesPathLoseNothingAndAnswerEachMessageOnce() throws Exception {
        long began = System.nanoTime();
        try (FakeBotApi telegram = new FakeBotApi(); DemoModelServer model = new DemoModelServer(0)) {
            model.start();
            telegram.maxPoll(MAX_POLL);
            HostProcess host = new HostProcess(dir, """
                    model: { provider: openai, name: claw4j-demo, apiKey: demo, baseUrl: "%s" }
                    sandbox: { runtime: runsc, maxSandboxes: 2, idleTimeout: 1m, turnTimeout: 2m }
                    access: { dm: open }
                    connectors:
                      web: { port: WEB_PORT }
                      telegram: { token: "%s", apiUrl: "%s", pollTimeout: 2s }
                    """.formatted(model.baseUrl(), FakeBotApi.TOKEN, telegram.url()));
            WebChatClient chat = host.chat();
            List<Sent> sent = new ArrayList<>();
            Map<Integer, String> stages = new LinkedHashMap<>();
            // a Telegram reply the kill caught between the platform taking it and the store marking it delivered:
            // Telegram has no idempotency key, so the next run sends it again (issue 11 accepts at-least-once there)
            List<String> caughtSending = new ArrayList<>();
            long lastKill = 0;
            host.start();
            for (int i = 0; i < ROUNDS; i++) {
                long delay = Math.round(i * (double) MAX_DELAY_MS / (ROUNDS - 1));
                String text = "kw-round-%02d hello".formatted(i);
                long took;
                if (i % 2 == 0) {
                    // every poll the last killed host left open has ended: the update goes out to this run
                    sleepUntil(lastKill + MAX_POLL.toMillis() + 100);
                    long user = 5_000 + i;
                    ObjectNode m = telegram.dm(user, "Tg" + i, text);
                    long update = telegram.send(m);
                    took = awaitHandedOut(telegram, update, host).toEpochMilli();
                    sent.add(new Sent(i, "telegram", String.valueOf(user), update,
                            user + ":" + m.get("message_id").asInt(), text));
                } else {
                    String room = "dm-kw-%02d".formatted(i);
                    chat.post(room, "web" + i, text);
                    took = System.currentTimeMillis(); // the 202 is in
                    sent.add(new Sent(i, "web", room, -1, null, text));
                }
                sleepUntil(took + delay);
                long killedAt = System.currentTimeMillis();
                host.kill();
                lastKill = System.currentTimeMillis();
                try (Connection db = host.openStore()) {
                    Sent s = sent.getLast();
                    String stage = stage(db, s, model, telegram);
                    stages.put(i, "+" + (killedAt - took) + " ms " + s.platform() + ": " + stage);
                    // what this kill caught in the act of sending, in any chat
                    for (String c : sendingToTelegram(db, telegram)) {
                        caughtSending.add(c);
                        Instant sentAt = telegram.sentTo(c).getLast().at();
                        System.out.printf("[kill-window] round %d's kill caught the reply to telegram %s SENDING, %d ms "
                                + "after the Bot API took it%n", i, c, killedAt - sentAt.toEpochMilli());
                    }
                    assertOffsetNeverAheadOfStore(db, host.dataDir(), sent);
                    if (!s.telegram()) {
                        assertThat(inbound(db, s)).as("round %d: the web API answered 202, so it is stored", i)
                                .isPresent();
                    }
                }
                long startMs = host.start();
                System.out.printf("[kill-window] round %2d killed %s; restart took %d ms%n", i, stages.get(i), startMs);
            }

            // the last run: every message has exactly one reply
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            for (Sent s : sent) {
                while (replies(s, chat, telegram) < 1) {
                    assertThat(System.nanoTime()).as("round %d (%s %s) was answered; stages: %s; log: %s", s.round(),
                            s.platform(), s.chat(), stages, host.log()).isLessThan(deadline);
                    Thread.sleep(200);
                }
            }
            Thread.sleep(3_000); // room for a doubled answer to show up
            for (Sent s : sent) {
                int n = replies(s, chat, telegram);
                if (n != 1) {
                    System.out.printf("[kill-window] round %d (%s %s): %d replies%n", s.round(), s.platform(), s.chat(), n);
                }
                boolean mayRepeat = s.telegram() && caughtSending.contains(s.chat());
                assertThat(n).as("replies to round %d (%s %s), killed at %s", s.round(), s.platform(), s.chat(),
                        stages.get(s.round())).isEqualTo(mayRepeat && n == 2 ? 2 : 1);
            }
            assertThat(host.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 143);
            try (Connection db = host.openStore()) {
                for (Sent s : sent) {
                    assertThat(inbound(db, s).map(InboundRow::status)).as("round %d (%s %s)", s.round(), s.platform(),
                            s.chat()).contains("DONE");
                    assertThat(count(db, "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND platform = ? "
                            + "AND chat_id = ?", s.platform(), s.chat())).as("stored replies of round %d", s.round())
                            .isEqualTo(1);
                }
            }
            System.out.println("[kill-window] stages hit: " + String.join("\n  ", stages.values()));
            System.out.println("[kill-window] host starts (ms): " + host.startMillis());
            System.out.println("[kill-window] replies caught mid-send: " + caughtSending);
            System.out.printf("[kill-window] took %d s%n", (System.nanoTime() - began) / 1_000_000_000);
        }
    }

    /**
     * The case that lost 25 s of committed work: web chats talk steadily for 60 s (every reply awaited), one long
     * turn runs in another chat, and the host is killed in its middle. After the restart everything acknowledged is
     * there: every 202'd message stored and answered once, every DELIVERED reply still DELIVERED, the long chat's
     * group and audit rows, and the long chat answered exactly once.
     */
    @Test
    void aKillInTheMiddleOfALongTurnAfterAMinuteOfTrafficLosesNothingAcknowledged() throws Exception {
        long began = System.nanoTime();
        try (DemoModelServer model = new DemoModelServer(0)) {
            model.start();
            HostProcess host = new HostProcess(dir, """
                    model: { provider: openai, name: claw4j-demo, apiKey: demo, baseUrl: "%s" }
                    sandbox: { runtime: runsc, maxSandboxes: 3, idleTimeout: 5m, turnTimeout: 2m }
                    access: { dm: open }
                    connectors:
                      web: { port: WEB_PORT }
                    """.formatted(model.baseUrl()));
            WebChatClient chat = host.chat();
            host.start();
            List<String> steady = List.of("dm-steady-a", "dm-steady-b");
            Map<String, List<Long>> accepted = new ConcurrentHashMap<>(); // 202'd message ids per chat
            AtomicBoolean talking = new AtomicBoolean(true);
            List<Throwable> trouble = new CopyOnWriteArrayList<>();
            List<Thread> talkers = new ArrayList<>();
            for (String room : steady) {
                accepted.put(room, new CopyOnWriteArrayList<>());
                talkers.add(Thread.ofVirtual().start(() -> {
                    try {
                        for (int n = 0; talking.get(); n++) {
                            accepted.get(room).add(chat.post(room, "steady", room + " message " + n));
                            chat.awaitReplies(room, n + 1, Duration.ofSeconds(60));
                        }
                    } catch (Throwable e) {
                        if (talking.get()) {
                            trouble.add(e);
                        }
                    }
                }));
            }
            long steadyFrom = System.nanoTime();
            Thread.sleep(45_000);
            long longId = chat.post("dm-long", "lee", "run: sleep 20; echo long-turn-finished");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (model.rawRequests().stream().noneMatch(r -> r.contains("long-turn-finished"))) {
                assertThat(System.nanoTime()).as("the long turn reached the model").isLessThan(deadline);
                Thread.sleep(100);
            }
            // the bash tool now sleeps in the sandbox; the kill comes after a minute of traffic, mid-sleep
            sleepUntilNanos(Math.max(steadyFrom + Duration.ofSeconds(60).toNanos(), System.nanoTime() + 5_000_000_000L));
            assertThat(trouble).as("the steady chats were answered while the host ran").isEmpty();
            // what the host acknowledged by then: the 202s, and the replies it showed as DELIVERED
            Map<Long, String> delivered = new LinkedHashMap<>();
            for (String room : steady) {
                for (JsonNode m : chat.messages(room)) {
                    if (m.get("direction").asText().equals("out") && m.get("status").asText().equals("DELIVERED")) {
                        delivered.put(m.get("id").asLong(), room);
                    }
                }
            }
            assertThat(chat.replies("dm-long")).isEmpty();
            // H2 shows a commit to other connections a moment before the committing thread has written it to the
            // file: a reply read as DELIVERED in that moment can be SENDING on disk after a kill (a CI run caught
            // exactly that), and is delivered again after the restart under the same id (the page shows it once;
            // checked after the restart below). The statuses asserted before the restart are those whose writes had
            // their moment: what the host had settled, not what it was writing as the kill came.
            Thread.sleep(1_000);
            talking.set(false);
            host.kill();
            for (Thread t : talkers) {
                t.join(Duration.ofSeconds(70));
            }
            Map<String, List<Long>> acknowledged = new LinkedHashMap<>();
            accepted.forEach((room, ids) -> acknowledged.put(room, List.copyOf(ids)));
            int total = acknowledged.values().stream().mapToInt(List::size).sum();
            System.out.printf("[kill-window] steady traffic: %d messages acknowledged, %d replies delivered, then "
                    + "SIGKILL mid-turn%n", total, delivered.size());
            assertThat(total).as("the steady chats really talked").isGreaterThan(10);

            String longGroup;
            try (Connection db = host.openStore()) {
                for (var e : acknowledged.entrySet()) {
                    for (long id : e.getValue()) {
                        assertThat(count(db, "SELECT COUNT(*) FROM messages WHERE id = ? AND direction = 'in'", id))
                                .as("202'd message %d of %s is stored", id, e.getKey()).isEqualTo(1);
                    }
                }
                for (long id : delivered.keySet()) {
                    assertThat(string(db, "SELECT status FROM messages WHERE id = ?", id))
                            .as("reply %d was DELIVERED", id).contains("DELIVERED");
                }
                assertThat(string(db, "SELECT status FROM messages WHERE id = ?", longId)).contains("RUNNING");
                longGroup = string(db, "SELECT group_id FROM messages WHERE id = ?", longId).orElseThrow();
                assertThat(count(db, "SELECT COUNT(*) FROM agent_groups WHERE id = ?", longGroup)).isEqualTo(1);
                assertThat(count(db, "SELECT COUNT(*) FROM bindings WHERE group_id = ?", longGroup)).isEqualTo(1);
                assertThat(count(db, "SELECT COUNT(*) FROM audit_events WHERE group_id = ? AND kind = 'turn.started'",
                        longGroup)).isEqualTo(1);
                assertThat(count(db, "SELECT COUNT(*) FROM audit_events WHERE group_id = ? AND kind = 'model.call'",
                        longGroup)).as("the long turn's first model call was audited").isGreaterThanOrEqualTo(1);
            }

            System.out.printf("[kill-window] restart took %d ms%n", host.start());
            List<JsonNode> longReplies = chat.awaitReplies("dm-long", 1, Duration.ofSeconds(120));
            for (var e : acknowledged.entrySet()) {
                chat.awaitReplies(e.getKey(), e.getValue().size(), Duration.ofSeconds(60));
            }
            Thread.sleep(3_000); // room for a doubled answer to show up
            longReplies = chat.replies("dm-long");
            assertThat(longReplies).hasSize(1);
            assertThat(longReplies.getFirst().get("text").asText()).contains("long-turn-finished");
            for (var e : acknowledged.entrySet()) {
                List<JsonNode> messages = chat.messages(e.getKey());
                List<Long> in = messages.stream().filter(m -> m.get("direction").asText().equals("in"))
                        .map(m -> m.get("id").asLong()).toList();
                // a message posted as the kill came may be stored without its 202: stored, so answered too
                assertThat(in).as("every 202'd message of %s", e.getKey()).containsAll(e.getValue());
                assertThat(messages.stream().filter(m -> m.get("direction").asText().equals("out")))
                        .as("one reply per message in %s", e.getKey()).hasSize(in.size());
            }
            assertThat(host.stop(Duration.ofSeconds(60))).as("exit code after SIGTERM").isIn(0, 143);
            try (Connection db = host.openStore()) {
                for (long id : delivered.keySet()) {
                    assertThat(string(db, "SELECT status FROM messages WHERE id = ?", id)).contains("DELIVERED");
                }
                assertThat(string(db, "SELECT status FROM messages WHERE id = ?", longId)).contains("DONE");
                assertThat(count(db, "SELECT COUNT(*) FROM messages WHERE in_reply_to = ? AND direction = 'out'",
                        longId)).isEqualTo(1);
                assertThat(count(db, "SELECT COUNT(*) FROM audit_events WHERE group_id = ? AND kind = 'turn.started'",
                        longGroup)).isEqualTo(2);
            }
            System.out.printf("[kill-window] long-turn case took %d s%n", (System.nanoTime() - began) / 1_000_000_000);
        }
    }

    // ---------------------------------------------------------------- reading the store of a dead host

    private record InboundRow(long id, String status, String groupId) {}

    private static Optional<InboundRow> inbound(Connection db, Sent s) throws SQLException {
        try (PreparedStatement ps = db.prepareStatement("SELECT id, status, group_id FROM messages "
                + "WHERE direction = 'in' AND platform = ? AND chat_id = ? ORDER BY id")) {
            ps.setString(1, s.platform());
            ps.setString(2, s.chat());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(new InboundRow(rs.getLong(1), rs.getString(2), rs.getString(3)))
                        : Optional.empty();
            }
        }
    }

    /** Where on its path the kill found the round's message, told by the store, the model's log and the fake's. */
    private static String stage(Connection db, Sent s, DemoModelServer model, FakeBotApi telegram) throws SQLException {
        Optional<InboundRow> in = inbound(db, s);
        if (in.isEmpty()) {
            return "fetched, not stored";
        }
        Optional<String> reply = string(db, "SELECT status FROM messages WHERE direction = 'out' AND platform = ? "
                + "AND chat_id = ? ORDER BY id", s.platform(), s.chat());
        boolean modelSawIt = model.rawRequests().stream().anyMatch(r -> r.contains(s.text()));
        if (reply.isPresent()) {
            boolean platformHasIt = !s.telegram() || !telegram.sentTo(s.chat()).isEmpty();
            return "reply stored (" + reply.get() + (s.telegram() && platformHasIt ? ", Telegram has it" : "") + ")";
        }
        return switch (in.get().status()) {
            case "PENDING" -> in.get().groupId() == null ? "stored, not routed" : "stored and queued";
            case "RUNNING" -> modelSawIt ? "in the turn (the model was asked)" : "turn started, sandbox starting";
            default -> "inbound " + in.get().status();
        };
    }

    /** Telegram chats whose reply the kill left SENDING although the fake had already taken it. */
    private static List<String> sendingToTelegram(Connection db, FakeBotApi telegram) throws SQLException {
        List<String> chats = new ArrayList<>();
        try (PreparedStatement ps = db.prepareStatement("SELECT chat_id FROM messages WHERE direction = 'out' "
                + "AND platform = 'telegram' AND status = 'SENDING'");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                if (!telegram.sentTo(rs.getString(1)).isEmpty()) {
                    chats.add(rs.getString(1));
                }
            }
        }
        return chats;
    }

    /**
     * Every update below the saved offset is confirmed to Telegram, which will never send it again: it must be in
     * the store. The offset is read from the store's {@code connector_cursors} table where the store has one, and
     * from the connector's offset file otherwise.
     */
    private static void assertOffsetNeverAheadOfStore(Connection db, Path dataDir, List<Sent> sent) throws Exception {
        long offset = savedOffset(db, dataDir);
        for (Sent s : sent) {
            if (s.telegram() && s.updateId() < offset) {
                assertThat(count(db, "SELECT COUNT(*) FROM messages WHERE direction = 'in' AND platform = 'telegram' "
                        + "AND platform_message_id = ?", s.platformMessageId()))
                        .as("update %d of round %d is below the saved offset %d, so it must be stored", s.updateId(),
                                s.round(), offset).isEqualTo(1);
            }
        }
    }

    private static long savedOffset(Connection db, Path dataDir) throws Exception {
        if (count(db, "SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE UPPER(TABLE_NAME) = 'CONNECTOR_CURSORS'")
                > 0) {
            try (PreparedStatement ps = db.prepareStatement("SELECT cursor_key, position FROM connector_cursors");
                 ResultSet rs = ps.executeQuery()) {
                long max = 0;
                while (rs.next()) {
                    if (rs.getString(1).contains("telegram")) {
                        max = Math.max(max, Long.parseLong(rs.getString(2).strip()));
                    }
                }
                return max;
            }
        }
        Path file = dataDir.resolve("telegram").resolve("telegram-" + FakeBotApi.BOT_ID + ".offset");
        return Files.exists(file) ? Long.parseLong(Files.readString(file).strip()) : 0;
    }

    private static long count(Connection db, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(db, sql, args); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Optional<String> string(Connection db, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = bind(db, sql, args); ResultSet rs = ps.executeQuery()) {
            return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
    }

    private static PreparedStatement bind(Connection db, String sql, Object... args) throws SQLException {
        PreparedStatement ps = db.prepareStatement(sql);
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
        return ps;
    }

    // ---------------------------------------------------------------- the outside

    private static int replies(Sent s, WebChatClient chat, FakeBotApi telegram) throws Exception {
        return s.telegram() ? telegram.sentTo(s.chat()).size() : chat.replies(s.chat()).size();
    }

    private static Instant awaitHandedOut(FakeBotApi telegram, long update, HostProcess host) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (telegram.handedOut(update) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the host never fetched update " + update + "; its log: " + host.log());
            }
            Thread.sleep(1);
        }
        return telegram.handedOut(update);
    }

    private static void sleepUntil(long epochMillis) throws InterruptedException {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private static void sleepUntilNanos(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }
}
