package dev.claw4j.bench;

import dev.claw4j.app.Claw4j;
import dev.claw4j.app.Config;
import dev.claw4j.core.cluster.HostIdentity;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.DockerSandboxRuntime;
import dev.claw4j.sandbox.SandboxSettings;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

/**
 * One host against two on one PostgreSQL (issue 14), on this one machine: {@code CHATS} web chats send
 * {@code MESSAGES} messages each through the web API, at most {@code CONCURRENCY} at once, each waiting for its reply;
 * with two hosts chat i talks to host i mod 2 (which takes its group's lease, runs its turns and pushes its replies).
 * Scripted model 300 ms ± 100 ms in a process of its own; each host has {@code MAX_SANDBOXES} sandboxes. The sides
 * alternate (one, two, one, two …), each on a fresh schema and fresh folders. Prints messages per second, p50/p99
 * time to reply, lost and doubled (from the store), and the two-host / one-host ratios. Both hosts run in this JVM on
 * the same cores: the ratio says what a second host costs or gains here, not what a second machine would.
 *
 * <p>The PostgreSQL server is the one {@code scripts/setup-postgres.sh} starts (its test-db.properties), or
 * {@code CLAW4J_BENCH_PG_URL}, {@code _USER}, {@code _PASSWORD}.
 */
public final class HostsBench {
    private static final long REPLY_TIMEOUT_S = 300;

    /** One side's figures. */
    private record Side(int hosts, int sent, double seconds, List<Double> replyMs, int lost, int doubled,
                        int timedOut) {
        double perSecond() {
            return sent / seconds;
        }

        double p(int pct) {
            return replyMs.isEmpty() ? Double.NaN : MessagePathBench.pct(replyMs, pct);
        }
    }

    private record Pg(String url, String user, String password) {}

    public static void main(String[] args) throws Exception {
        int chats = args.length > 0 ? Integer.parseInt(args[0]) : 24;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 12;
        int maxSandboxes = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        Pg pg = postgres();
        Process model = WebChats.startModel();
        List<Side> sides = new ArrayList<>();
        try {
            String baseUrl = WebChats.baseUrl(model);
            for (int r = 0; r < rounds; r++) {
                // alternated, and the first side flips every round, so a warming machine favours neither
                int[] order = r % 2 == 0 ? new int[] {1, 2} : new int[] {2, 1};
                for (int hosts : order) {
                    Side s = side(hosts, pg, baseUrl, chats, messages, concurrency, maxSandboxes);
                    print(s);
                    sides.add(s);
                }
            }
        } finally {
            model.destroy();
        }
        System.out.printf("hosts: %d chats x %d messages, %d at once, maxSandboxes %d per host, scripted model "
                + "300 +- 100 ms, %d round(s) alternated; both hosts in one JVM on this machine%n", chats, messages,
                concurrency, maxSandboxes, rounds);
        for (Side s : sides) {
            print(s);
        }
        double one = mean(sides, 1, Side::perSecond);
        double two = mean(sides, 2, Side::perSecond);
        System.out.printf("  ratio two hosts / one host: messages/s %.2f, p50 %.2f, p99 %.2f%n", two / one,
                mean(sides, 2, s -> s.p(50)) / mean(sides, 1, s -> s.p(50)),
                mean(sides, 2, s -> s.p(99)) / mean(sides, 1, s -> s.p(99)));
    }

    private static void print(Side s) {
        System.out.printf("  %d host(s): %d messages in %.1f s: %.2f messages/s; time to reply p50 %.2f s, p99 %.2f s;"
                        + " lost %d, doubled %d, no reply within %d s: %d%n", s.hosts(), s.sent(), s.seconds(),
                s.perSecond(), s.p(50) / 1e3, s.p(99) / 1e3, s.lost(), s.doubled(), REPLY_TIMEOUT_S, s.timedOut());
    }

    private static double mean(List<Side> sides, int hosts, java.util.function.ToDoubleFunction<Side> f) {
        return sides.stream().filter(s -> s.hosts() == hosts).mapToDouble(f).average().orElse(Double.NaN);
    }

    private static Side side(int hosts, Pg pg, String baseUrl, int chats, int messages, int concurrency,
                             int maxSandboxes) throws Exception {
        String schema = "bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (var c = DriverManager.getConnection(pg.url(), pg.user(), pg.password()); var s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = pg.url() + (pg.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        Path dir = Files.createTempDirectory("claw4j-bench-hosts-");
        Path folders = Files.createDirectories(dir.resolve("folders"));
        List<Claw4j> running = new ArrayList<>();
        try {
            for (int h = 0; h < hosts; h++) {
                Path data = Files.createDirectories(dir.resolve("host-" + h));
                Config config = WebChats.hostConfig(data, new Config.Sandbox("runsc", null, null, null, null, null,
                                null, null, null, maxSandboxes))
                        .withStore(new Config.Database("postgres", url, pg.user(), pg.password()))
                        .withCluster(new Config.Cluster(null, null, folders.toString()))
                        .withAdmin(new Config.Admin(false, null, null)); // two consoles would want one port
                var runtime = new DockerSandboxRuntime(DockerClients.connect(), new SandboxSettings("runsc", false,
                        null, HostIdentity.load(data).hostId()));
                Claw4j host = new Claw4j(config, runtime, ModelSettings.of("openai", "demo", "k", baseUrl));
                running.add(host);
                host.start();
            }
            List<WebChats.Endpoint> endpoints = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                endpoints.add(WebChats.Endpoint.of(running.get(h), dir.resolve("host-" + h)));
            }
            WebChats.Result r = WebChats.drive("dm-hosts-", chats, messages, concurrency, REPLY_TIMEOUT_S,
                    c -> endpoints.get(c % hosts));
            Thread.sleep(2000); // a late or doubled reply would be stored by now
            WebChats.Tally t = WebChats.tally(running.getFirst().store(), "dm-hosts-", chats, messages);
            // a chat that failed outright counts as one without its reply, as before
            return new Side(hosts, chats * messages, r.seconds(), r.replyMs(), t.lost(), t.doubled(),
                    r.timedOut() + r.failed());
        } finally {
            for (Claw4j h : running.reversed()) {
                h.close();
            }
            try (var c = DriverManager.getConnection(pg.url(), pg.user(), pg.password());
                    var s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static Pg postgres() throws Exception {
        String url = System.getenv("CLAW4J_BENCH_PG_URL");
        if (url != null && !url.isBlank()) {
            return new Pg(url, System.getenv("CLAW4J_BENCH_PG_USER"), System.getenv("CLAW4J_BENCH_PG_PASSWORD"));
        }
        Path file = Path.of("/tmp/claw4j-postgres/test-db.properties");
        if (!Files.isReadable(file)) {
            throw new IllegalStateException("bench/run hosts needs a PostgreSQL server: run scripts/setup-postgres.sh "
                    + "(it writes " + file + "), or set CLAW4J_BENCH_PG_URL, _USER and _PASSWORD");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return new Pg(p.getProperty("url"), p.getProperty("user"), p.getProperty("password"));
    }
}
