package dev.claw4j.bench;

import dev.claw4j.app.Claw4j;
import dev.claw4j.app.Config;
import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.store.AuditEvent;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.DockerSandboxRuntime;
import dev.claw4j.sandbox.SandboxSettings;
import dev.claw4j.web.WebConnector;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The message path with a warm sandbox and a model that answers at once: from the web API accepting a
 * message to its reply being stored. The host's own share is what is left after the agent's time in its
 * sandbox and the model call, both measured by the host around its waits.
 */
public final class MessagePathBench {
    private static final Pattern TIMING = Pattern.compile("agent=([0-9.]+)ms model=([0-9.]+)ms");

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path data = Files.createTempDirectory("claw4j-bench-path-");
        try (DemoModelServer model = new DemoModelServer(0)) {
            model.start();
            Config config = Config.defaults().withDataDir(data).withAccess(new Config.Access("open", null, null, null))
                    .withConnectors(new Config.Connectors(new Config.Web(true, "127.0.0.1", 0)));
            var runtime = new DockerSandboxRuntime(DockerClients.connect(),
                    new SandboxSettings("runsc", false, null, "bench-" + ProcessHandle.current().pid()));
            try (Claw4j claw4j = new Claw4j(config, runtime, ModelSettings.of("openai", "demo", "k", model.baseUrl()))) {
                claw4j.start();
                int port = ((WebConnector) claw4j.connector("web")).port();
                // the install's token, made at first start in the data directory, as a script reads it
                String auth = "Bearer " + Files.readString(data.resolve("web-token")).strip();
                HttpClient http = HttpClient.newHttpClient();
                LinkedBlockingQueue<String> replies = listen(http, port, auth);
                int warmUp = 20;
                for (int i = 0; i < warmUp + runs; i++) {
                    post(http, port, auth, "ping " + i);
                    if (replies.poll(120, TimeUnit.SECONDS) == null) {
                        throw new IllegalStateException("no reply to message " + i);
                    }
                }
                report(claw4j, warmUp, runtime.isolation().describe());
            }
        }
    }

    private static void report(Claw4j claw4j, int warmUp, String isolation) {
        List<ChatLine> lines = claw4j.store().history("web", "dm-bench");
        String group = claw4j.store().groupForBinding("web:chat:dm-bench").orElseThrow();
        List<AuditEvent> turns = claw4j.store().auditTrail(group).stream()
                .filter(e -> e.kind().equals("turn.finished")).toList();
        List<Double> total = new ArrayList<>();
        List<Double> agent = new ArrayList<>();
        List<Double> modelMs = new ArrayList<>();
        List<Double> host = new ArrayList<>();
        for (int i = warmUp; i < turns.size(); i++) {
            ChatLine in = lines.get(2 * i);
            ChatLine out = lines.get(2 * i + 1);
            double t = (out.at().toEpochMilli() - in.at().toEpochMilli()) + (out.at().getNano() % 1_000_000
                    - in.at().getNano() % 1_000_000) / 1e6;
            Matcher m = TIMING.matcher(turns.get(i).detail());
            if (!m.find()) {
                throw new IllegalStateException("no timing in " + turns.get(i).detail());
            }
            double a = Double.parseDouble(m.group(1));
            double md = Double.parseDouble(m.group(2));
            total.add(t);
            agent.add(a);
            modelMs.add(md);
            host.add(t - a - md);
        }
        String writeDelay = System.getProperty("claw4j.h2.writeDelay");
        System.out.printf("message path, warm sandbox (%s), instant scripted model, %d messages, H2 %s%n", isolation,
                total.size(), writeDelay == null ? "WRITE_DELAY=0 (durable commits)"
                        : "WRITE_DELAY=" + writeDelay + " (bench only: commits reach the disk later)");
        System.out.printf("  accepted -> reply stored:   median %6.2f ms   p99 %6.2f ms   max %6.2f ms%n", pct(total, 50),
                pct(total, 99), pct(total, 100));
        System.out.printf("  agent in its sandbox:       median %6.2f ms   p99 %6.2f ms%n", pct(agent, 50), pct(agent, 99));
        System.out.printf("  model call (loopback HTTP): median %6.2f ms   p99 %6.2f ms%n", pct(modelMs, 50),
                pct(modelMs, 99));
        System.out.printf("  host overhead:              median %6.2f ms   p99 %6.2f ms   max %6.2f ms   (target: median <= 5 ms)%n",
                pct(host, 50), pct(host, 99), pct(host, 100));
    }

    private static LinkedBlockingQueue<String> listen(HttpClient http, int port, String auth) throws Exception {
        LinkedBlockingQueue<String> replies = new LinkedBlockingQueue<>();
        HttpResponse<java.io.InputStream> events = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/chats/dm-bench/events"))
                .header("Accept", "text/event-stream").header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        Thread.ofVirtual().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(events.body()))) {
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.equals("event: message")) {
                        replies.add(line);
                    }
                }
            } catch (Exception e) {
                // the host closed the stream at the end
            }
        });
        return replies;
    }

    private static void post(HttpClient http, int port, String auth, String text) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/chats/dm-bench/messages"))
                .header("Content-Type", "application/json").header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"bench\",\"text\":\"" + text + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + r.statusCode() + ": " + r.body());
        }
    }

    private static double pct(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
