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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The message path with a warm sandbox and a model that answers at once, the host's own time measured inside
 * the host process (the bench runs the host in-process and watches the sandbox's stdio through
 * {@link TimedRuntime}; no production code knows about it):
 * <ul>
 *   <li>HTTP accept: the client sending the POST to its 202;
 *   <li>received → turn.start written: the web handler taking the message (its stored time, taken before the
 *       commit, so this overlaps the HTTP accept) to the host handing the turn.start line to the sandbox's stdin;
 *   <li>turn.done read → reply stored: the host reading the agent's last line to the reply being in the store;
 *   <li>reply stored → delivered: to the reply's SSE event reaching the client.
 * </ul>
 * Between turn.start and turn.done the agent works and the model answers; the host's share of that (relaying
 * model calls) is the {@code turn.finished} audit split's host figure minus the two steps above it covers.
 */
public final class MessagePathBench {
    private static final Pattern TIMING = Pattern.compile("total=([0-9.]+)ms agent=([0-9.]+)ms model=([0-9.]+)ms host=([0-9.]+)ms");

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        Path data = Files.createTempDirectory("claw4j-bench-path-");
        try (DemoModelServer model = new DemoModelServer(0)) {
            model.start();
            Config config = Config.defaults().withDataDir(data).withAccess(new Config.Access("open", null, null, null))
                    .withConnectors(new Config.Connectors(new Config.Web(true, "127.0.0.1", 0)));
            var runtime = new TimedRuntime(new DockerSandboxRuntime(DockerClients.connect(),
                    new SandboxSettings("runsc", false, null, "bench-" + ProcessHandle.current().pid())));
            try (Claw4j claw4j = new Claw4j(config, runtime, ModelSettings.of("openai", "demo", "k", model.baseUrl()))) {
                claw4j.start();
                int port = ((WebConnector) claw4j.connector("web")).port();
                // the install's token, made at first start in the data directory, as a script reads it
                String auth = "Bearer " + Files.readString(data.resolve("web-token")).strip();
                HttpClient http = HttpClient.newHttpClient();
                LinkedBlockingQueue<Instant> replies = WebChats.ReplyStream.open(http, port, auth, "dm-bench")
                        .replies();
                int warmUp = 20;
                List<Instant> posted = new ArrayList<>();
                List<Instant> answered202 = new ArrayList<>();
                List<Instant> delivered = new ArrayList<>();
                for (int i = 0; i < warmUp + runs; i++) {
                    posted.add(Instant.now());
                    post(http, port, auth, "dm-bench", "ping " + i);
                    answered202.add(Instant.now());
                    Instant got = replies.poll(120, TimeUnit.SECONDS);
                    if (got == null) {
                        throw new IllegalStateException("no reply to message " + i);
                    }
                    delivered.add(got);
                }
                report(claw4j, runtime, warmUp, posted, answered202, delivered);
            }
        }
    }

    private static void report(Claw4j claw4j, TimedRuntime runtime, int warmUp, List<Instant> posted,
                               List<Instant> answered202, List<Instant> delivered) {
        List<ChatLine> lines = claw4j.store().messages().history("web", "dm-bench");
        String group = claw4j.store().groups().groupForBinding("web:chat:dm-bench").orElseThrow();
        List<AuditEvent> turns = claw4j.store().audit().auditTrail(group).stream()
                .filter(e -> e.kind().equals("turn.finished")).toList();
        List<Instant> started = TimedRuntime.of(runtime.turnStartWritten, group);
        List<Instant> done = TimedRuntime.of(runtime.turnDoneRead, group);
        List<Double> accept = new ArrayList<>();
        List<Double> toStart = new ArrayList<>();
        List<Double> inSandbox = new ArrayList<>();
        List<Double> toStored = new ArrayList<>();
        List<Double> toDelivered = new ArrayList<>();
        List<Double> hostTotal = new ArrayList<>();
        List<Double> endToEnd = new ArrayList<>();
        List<Double> splitHost = new ArrayList<>();
        for (int i = warmUp; i < posted.size(); i++) {
            ChatLine in = lines.get(2 * i);
            ChatLine out = lines.get(2 * i + 1);
            if (!in.direction().equals("in") || !out.direction().equals("out")) {
                throw new IllegalStateException("history is not question, answer, ... at message " + i);
            }
            double a = ms(posted.get(i), answered202.get(i));
            double s = ms(in.at(), started.get(i));
            double d = ms(done.get(i), out.at());
            double v = ms(out.at(), delivered.get(i));
            accept.add(a);
            toStart.add(s);
            inSandbox.add(ms(started.get(i), done.get(i)));
            toStored.add(d);
            toDelivered.add(v);
            // outside the sandbox's interval, all is the host's (and loopback HTTP): the steps above overlap a little
            hostTotal.add(ms(posted.get(i), delivered.get(i)) - ms(started.get(i), done.get(i)));
            endToEnd.add(ms(posted.get(i), delivered.get(i)));
            Matcher m = TIMING.matcher(turns.get(i).detail());
            if (m.find()) {
                splitHost.add(Double.parseDouble(m.group(4)));
            }
        }
        String writeDelay = System.getProperty("claw4j.h2.writeDelay");
        System.out.printf("message path, warm sandbox (%s), instant scripted model, %d messages, one chat, H2 %s%n",
                runtime.isolation().describe(), accept.size(), writeDelay == null ? "WRITE_DELAY=0 (durable commits)"
                        : "WRITE_DELAY=" + writeDelay + " (bench only: commits reach the disk later)");
        System.out.println("  measured inside the host process (ms)         p50      p99      max");
        row("HTTP accept (POST sent -> 202)", accept);
        row("received by the handler -> turn.start written", toStart);
        row("turn.done read -> reply stored", toStored);
        row("reply stored -> delivered (SSE event read)", toDelivered);
        row("host's own time: end to end minus the next", hostTotal);
        row("turn.start written -> turn.done read", inSandbox);
        row("  (agent working + model call relayed)", List.of());
        row("turn.finished split: host", splitHost);
        row("end to end (POST sent -> reply read)", endToEnd);
        queueWait(claw4j.metrics().registry());
    }

    /** What the host's own Micrometer timer says about queue wait (as /metrics exports it). */
    static void queueWait(MeterRegistry registry) {
        for (Timer t : registry.find("claw4j.queue.wait").timers()) {
            System.out.printf("  claw4j_queue_wait_seconds%s: count %d, mean %.2f ms, max %.2f ms, p50 <= %.2f ms (bucket)%n",
                    t.getId().getTags(), t.count(), t.mean(TimeUnit.MILLISECONDS), t.max(TimeUnit.MILLISECONDS),
                    bucketPercentile(t, 0.5));
        }
    }

    /** The upper bound of the histogram bucket holding the given fraction (the timer keeps buckets, not values). */
    static double bucketPercentile(Timer t, double fraction) {
        var snap = t.takeSnapshot();
        for (CountAtBucket b : snap.histogramCounts()) {
            if (b.count() >= fraction * snap.count()) {
                return b.bucket(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    private static void row(String name, List<Double> v) {
        if (v.isEmpty()) {
            System.out.printf("  %s%n", name);
            return;
        }
        System.out.printf("  %-44s %7.2f  %7.2f  %7.2f%n", name, pct(v, 50), pct(v, 99), pct(v, 100));
    }

    static double ms(Instant from, Instant to) {
        return Duration.between(from, to).toNanos() / 1e6;
    }

    static void post(HttpClient http, int port, String auth, String chat, String text) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/api/chats/" + chat + "/messages"))
                .header("Content-Type", "application/json").header("Authorization", auth)
                .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"bench\",\"text\":\"" + text + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("POST answered " + r.statusCode() + ": " + r.body());
        }
    }

    static double pct(List<Double> values, int p) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }
}
