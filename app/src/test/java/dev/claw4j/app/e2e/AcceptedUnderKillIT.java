package dev.claw4j.app.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.app.demo.DemoModelServer;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message the web API took (202) is never lost, also when many are taken at once and the host is killed among
 * them: several people post to group chats without naming the bot (stored, not answered: no sandbox is needed, so
 * the kills fall among the commits and nothing else), the host is killed with SIGKILL at a random moment, and the
 * database the next start finds holds every id the host answered 202 with. Round after round on the same database,
 * as a host killed several times reuses its file. This is CrashUnderLoadIT's one lost message, looked for where
 * it can be seen many times a minute.
 */
class AcceptedUnderKillIT {
    private static final int ROUNDS = Integer.getInteger("acceptkill.rounds", 8);
    private static final int POSTERS = 8;

    @TempDir
    Path dir;

    @Test
    void everyMessageAnswered202SurvivesAKillAmongConcurrentPosts() throws Exception {
        long seed = Long.getLong("acceptkill.seed", System.nanoTime());
        Random random = new Random(seed);
        try (DemoModelServer model = new DemoModelServer(0)) {
            model.start();
            HostProcess host = new HostProcess(dir, """
                    model: { provider: openai, name: claw4j-demo, apiKey: demo, baseUrl: "%s" }
                    sandbox: { runtime: runsc, maxSandboxes: 1 }
                    admin: { console: false }
                    connectors:
                      web: { port: WEB_PORT }
                    """.formatted(model.baseUrl()));
            WebChatClient chat = host.chat();
            List<String> taken = new CopyOnWriteArrayList<>(); // "id room run"
            long total = 0;
            for (int round = 0; round < ROUNDS; round++) {
                host.start();
                AtomicBoolean go = new AtomicBoolean(true);
                ExecutorService posters = Executors.newFixedThreadPool(POSTERS, Thread.ofVirtual().factory());
                int r = round;
                for (int p = 0; p < POSTERS; p++) {
                    String room = "team-" + p;
                    posters.submit(() -> {
                        for (int i = 0; go.get(); i++) {
                            try {
                                long id = chat.post(room, "person-" + room, "round " + r + " message " + i,
                                        "ak-" + r + "-" + room + "-" + i).id();
                                taken.add(id + " " + room + " round " + r);
                            } catch (IOException | IllegalStateException killed) {
                                return null; // the host is gone: this round is over
                            }
                        }
                        return null;
                    });
                }
                Thread.sleep(300 + random.nextInt(1_500));
                host.kill();
                go.set(false);
                posters.shutdown();
                assertThat(posters.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
                assertThat(taken.size()).as("posts taken in round %d", round).isGreaterThan(0);
                Set<Long> stored = new HashSet<>();
                try (Connection db = host.openStore(); Statement st = db.createStatement();
                     ResultSet rs = st.executeQuery("SELECT id FROM messages WHERE direction = 'in'")) {
                    while (rs.next()) {
                        stored.add(rs.getLong(1));
                    }
                }
                List<String> lost = new ArrayList<>();
                for (String t : taken) {
                    if (!stored.contains(Long.parseLong(t.substring(0, t.indexOf(' '))))) {
                        lost.add(t);
                    }
                }
                System.out.printf("[accept-kill] round %d: %d taken in all (%d this round), %d lost%n", round,
                        taken.size(), taken.size() - total, lost.size());
                total = taken.size();
                assertThat(lost).as("messages answered 202 and missing after SIGKILL in round %d (seed %d, rerun "
                        + "with -Dacceptkill.seed=%d)", round, seed, seed).isEmpty();
            }
            System.out.printf("[accept-kill] %d rounds, %d messages taken, none lost (seed %d)%n", ROUNDS, total, seed);
        }
    }
}
