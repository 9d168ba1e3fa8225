package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.app.demo.DemoModelServer;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's "Done means" 2 and 3: two real host processes on one PostgreSQL (the test server of
 * {@code scripts/setup-postgres.sh}, a fresh schema per test), real sandboxes, the scripted model.
 * (a) 200 messages over 40 chats through both hosts' web APIs, one host SIGKILLed midway: every message answered
 * exactly once, the survivor's log shows the takeover. (b) a host SIGSTOPped past its lease mid-turn: the other
 * takes its group and answers; after SIGCONT its late reply is refused by the fencing token.
 */
class TwoHostsIT {

    @TempDir
    Path dir;

    @Test
    void twoHundredMessagesOverFortyChatsOneHostKilledMidwayAreEachAnsweredOnce() throws Exception {
        Db db = Db.fresh();
        Path shared = dir.resolve("shared-folders");
        try (DemoModelServer model = new DemoModelServer(0)) {
            model.start();
            // one after the other: each picks a free port when made, so B's is picked once A listens on its own
            HostProcess a = new HostProcess(Files.createDirectories(dir.resolve("a")), config(db, model, shared));
            a.start();
            HostProcess b = new HostProcess(Files.createDirectories(dir.resolve("b")), config(db, model, shared));
            b.start();
            WebChatClient toA = a.chat();
            WebChatClient toB = b.chat();
            int chats = 40;
            int total = 200;
            List<String> rooms = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                if (i == total / 2) {
                    a.kill();
                }
                String room = "dm-two-%02d".formatted(i % chats);
                if (i < chats) {
                    rooms.add(room);
                }
                WebChatClient to = i % 2 == 0 && a.alive() ? toA : toB;
                to.post(room, "u" + (i % chats), room + " message " + (i / chats));
                Thread.sleep(50);
            }

            long deadline = System.nanoTime() + Duration.ofMinutes(6).toNanos();
            while (db.count("SELECT COUNT(*) FROM messages WHERE direction = 'in' AND status = 'DONE'") < total) {
                assertThat(System.nanoTime()).as("every message answered; done: %d; survivor's log: %s",
                        db.count("SELECT COUNT(*) FROM messages WHERE direction = 'in' AND status = 'DONE'"), b.log())
                        .isLessThan(deadline);
                Thread.sleep(500);
            }
            Thread.sleep(3_000); // room for a doubled answer to show up
            assertThat(db.count("SELECT COUNT(*) FROM messages WHERE direction = 'in'")).isEqualTo(total);
            assertThat(db.count("SELECT COUNT(*) FROM messages WHERE direction = 'in' AND (status <> 'DONE' "
                    + "OR reply_id IS NULL)")).as("messages not answered").isZero();
            // a message answered twice leaves a reply no message points to (its reply_id names the last one)
            assertThat(db.count("SELECT COUNT(*) FROM messages o WHERE o.direction = 'out' AND NOT EXISTS "
                    + "(SELECT 1 FROM messages i WHERE i.reply_id = o.id)")).as("replies answering nothing").isZero();
            assertThat(db.count("SELECT COUNT(*) FROM messages WHERE direction = 'out' AND status <> 'DELIVERED'"))
                    .as("replies not delivered").isZero();
            // and the history either host serves shows every reply, whichever host made it
            for (String room : rooms) {
                assertThat(toB.replies(room)).as("replies in %s, read from host B", room).isNotEmpty();
            }
            assertThat(Files.readString(b.log())).as("the survivor took the dead host's groups over")
                    .containsPattern("took over group \\S+ from host " + a.installId());
            b.stop(Duration.ofSeconds(60));
        }
    }

    @Test
    void aHostPausedPastItsLeaseHasItsLateReplyRefused() throws Exception {
        Db db = Db.fresh();
        Path shared = dir.resolve("shared-folders");
        try (DemoModelServer model = new DemoModelServer(0)) {
            model.start();
            // one after the other: each picks a free port when made, so B's is picked once A listens on its own
            HostProcess a = new HostProcess(Files.createDirectories(dir.resolve("a")), config(db, model, shared));
            a.start();
            HostProcess b = new HostProcess(Files.createDirectories(dir.resolve("b")), config(db, model, shared));
            b.start();
            a.chat().post("dm-paused", "pat", "run: sleep 8; echo slow-turn-done");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (model.rawRequests().stream().noneMatch(r -> r.contains("sleep 8"))) {
                assertThat(System.nanoTime()).as("A's turn reached the model").isLessThan(deadline);
                Thread.sleep(100);
            }
            a.pause(); // mid-turn: its sandbox runs the sleep, its JVM renews nothing
            try {
                deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
                while (db.count("SELECT COUNT(*) FROM messages WHERE direction = 'out' AND chat_id = 'dm-paused' "
                        + "AND status = 'DELIVERED'") < 1) {
                    assertThat(System.nanoTime()).as("B answered A's message; B's log: %s", b.log())
                            .isLessThan(deadline);
                    Thread.sleep(250);
                }
            } finally {
                a.resume();
            }
            deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!Files.readString(a.log()).contains("turn abandoned")) {
                assertThat(System.nanoTime()).as("A's late turn was refused; A's log: %s", a.log())
                        .isLessThan(deadline);
                Thread.sleep(250);
            }
            assertThat(db.count("SELECT COUNT(*) FROM messages WHERE direction = 'out' AND chat_id = 'dm-paused'"))
                    .as("one reply stored, B's").isEqualTo(1);
            assertThat(db.count("SELECT COUNT(*) FROM messages WHERE direction = 'in' AND chat_id = 'dm-paused' "
                    + "AND status = 'DONE'")).isEqualTo(1);
            assertThat(Files.readString(a.log())).contains("refused storing a reply")
                    .contains("no longer holds group");
            assertThat(Files.readString(b.log())).containsPattern("took over group \\S+ from host " + a.installId());
            a.stop(Duration.ofSeconds(60));
            b.stop(Duration.ofSeconds(60));
        }
    }

    /** Both hosts see the same group folders (as shared storage would give them); each has its own data directory. */
    private static String config(Db db, DemoModelServer model, Path sharedFolders) {
        return """
                model: { provider: openai, name: claw4j-demo, apiKey: demo, baseUrl: "%s" }
                sandbox: { runtime: runsc, maxSandboxes: 4, idleTimeout: 1m, turnTimeout: 2m }
                access: { dm: open }
                admin: { console: false }
                store: { kind: postgres, url: "%s", user: "%s", password: "%s" }
                connectors:
                  web: { port: WEB_PORT }
                cluster: { leaseSeconds: 6, renewSeconds: 2, folders: "%s" }
                """.formatted(model.baseUrl(), db.url, db.user, db.password, sharedFolders.toAbsolutePath());
    }

    /** A fresh schema on the PostgreSQL test server (settings as the store tests read them). */
    private record Db(String url, String user, String password) {
        static Db fresh() throws Exception {
            String url = System.getenv("CLAW4J_TEST_PG_URL");
            String user = System.getenv("CLAW4J_TEST_PG_USER");
            String password = System.getenv("CLAW4J_TEST_PG_PASSWORD");
            if (url == null || url.isBlank()) {
                Path file = Path.of("/tmp/claw4j-postgres/test-db.properties");
                if (!Files.isReadable(file)) {
                    Assertions.fail("no PostgreSQL test server: run scripts/setup-postgres.sh (it writes " + file + ")");
                }
                Properties p = new Properties();
                try (Reader r = Files.newBufferedReader(file)) {
                    p.load(r);
                }
                url = p.getProperty("url");
                user = p.getProperty("user");
                password = p.getProperty("password");
            }
            String schema = "two_hosts_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(url, user, password); var s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            }
            return new Db(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema, user, password);
        }

        long count(String sql) throws SQLException {
            try (Connection c = DriverManager.getConnection(url, user, password); var s = c.createStatement();
                 ResultSet rs = s.executeQuery(sql)) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
