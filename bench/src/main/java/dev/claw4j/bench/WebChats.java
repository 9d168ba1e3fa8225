package dev.claw4j.bench;

import dev.claw4j.app.Claw4j;
import dev.claw4j.app.Config;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.store.Store;
import dev.claw4j.web.WebConnector;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * The load benches' driver: web chats talking to hosts through the web API. Each chat opens its event stream, then
 * sends its messages one by one, each waiting for its reply; at most {@code concurrency} chats talk at once. It
 * collects the time from a POST sent to its reply's event read, and counts from the store what was lost or doubled.
 * The scripted model the benches answer with runs in a process of its own ({@link #startModel()}).
 */
final class WebChats {
    private WebChats() {}

    /** Where a chat talks: a host's web port and the bearer token of its data directory. */
    record Endpoint(int port, String auth) {
        static Endpoint of(Claw4j host, Path dataDir) throws IOException {
            return new Endpoint(((WebConnector) host.connector("web")).port(),
                    "Bearer " + Files.readString(dataDir.resolve("web-token")).strip());
        }
    }

    /** What the chats saw: wall time for all of them, each reply's time, chats that waited too long or failed. */
    record Result(double seconds, List<Double> replyMs, int timedOut, int failed) {}

    /** From the store: messages without exactly one reply each. */
    record Tally(int lost, int doubled) {}

    /** A host the chats can talk to: anyone may write to it, its web chat on a free loopback port. */
    static Config hostConfig(Path dataDir, Config.Sandbox sandbox) {
        return Config.defaults().withDataDir(dataDir)
                .withAccess(new Config.Access("open", null, null, null))
                .withConnectors(new Config.Connectors(new Config.Web(true, "127.0.0.1", 0)))
                .withSandbox(sandbox);
    }

    /** The scripted model (300 ms ± 100 ms) in a process of its own; its first stdout line is its base URL. */
    static Process startModel() throws IOException {
        return startModel(300, 100);
    }

    /** The scripted model answering in {@code meanMs} ± {@code spreadMs} (0 and 0: at once, as the demo's). */
    static Process startModel(int meanMs, int spreadMs) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                SlowModelServer.class.getName(), String.valueOf(meanMs), String.valueOf(spreadMs))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The base URL the model process printed. */
    static String baseUrl(Process model) throws IOException {
        String baseUrl = new BufferedReader(new InputStreamReader(model.getInputStream())).readLine();
        if (baseUrl == null) {
            throw new IllegalStateException("the scripted model server did not start; see its stderr above");
        }
        return baseUrl;
    }

    /**
     * Chats {@code prefix + 0 … chats - 1}, chat i at {@code endpoint.apply(i)}, each sending {@code messages}
     * messages; a chat whose reply takes longer than {@code replyTimeoutS} stops there. Progress goes to stderr.
     */
    static Result drive(String prefix, int chats, int messages, int concurrency, long replyTimeoutS,
                        IntFunction<Endpoint> endpoint) {
        List<Double> replyMs = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger timedOut = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger chatsDone = new AtomicInteger();
        HttpClient http = HttpClient.newHttpClient();
        long t0 = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency, Thread.ofVirtual().factory())) {
            for (int c = 0; c < chats; c++) {
                String chat = prefix + c;
                Endpoint to = endpoint.apply(c);
                pool.submit(() -> {
                    try {
                        if (!talk(http, to, chat, messages, replyTimeoutS, replyMs)) {
                            timedOut.incrementAndGet();
                        }
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        System.err.println(chat + ": " + e);
                    }
                    int done = chatsDone.incrementAndGet();
                    if (done % Math.max(1, chats / 10) == 0) {
                        System.err.printf("  %d/%d chats done, %.0f s%n", done, chats, (System.nanoTime() - t0) / 1e9);
                    }
                });
            }
        }
        return new Result((System.nanoTime() - t0) / 1e9, List.copyOf(replyMs), timedOut.get(), failed.get());
    }

    /** Lost and doubled, from the store: every chat must have exactly one reply per message. */
    static Tally tally(Store store, String prefix, int chats, int messages) {
        int lost = 0;
        int doubled = 0;
        for (int c = 0; c < chats; c++) {
            List<ChatLine> lines = store.messages().history("web", prefix + c);
            long in = lines.stream().filter(l -> l.direction().equals("in")).count();
            long out = lines.stream().filter(l -> l.direction().equals("out")).count();
            lost += (int) (Math.max(0, in - out) + Math.max(0, messages - in));
            doubled += (int) Math.max(0, out - in);
        }
        return new Tally(lost, doubled);
    }

    /** One chat: its event stream open, then its messages one by one; false when a reply did not come in time. */
    private static boolean talk(HttpClient http, Endpoint to, String chat, int messages, long replyTimeoutS,
                                List<Double> replyMs) throws Exception {
        try (ReplyStream stream = ReplyStream.open(http, to.port(), to.auth(), chat)) {
            for (int m = 0; m < messages; m++) {
                Instant sent = Instant.now();
                MessagePathBench.post(http, to.port(), to.auth(), chat, "hello " + m);
                Instant got = stream.replies().poll(replyTimeoutS, TimeUnit.SECONDS);
                if (got == null) {
                    return false;
                }
                replyMs.add(MessagePathBench.ms(sent, got));
            }
            return true;
        }
    }

    /** A chat's event stream, read as it comes: each reply event is noted with the time it was read. */
    record ReplyStream(LinkedBlockingQueue<Instant> replies, InputStream body, Thread reader)
            implements AutoCloseable {
        static ReplyStream open(HttpClient http, int port, String auth, String chat) throws Exception {
            LinkedBlockingQueue<Instant> replies = new LinkedBlockingQueue<>();
            HttpResponse<InputStream> events = http.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/chats/" + chat + "/events"))
                    .header("Accept", "text/event-stream").header("Authorization", auth).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            Thread reader = Thread.ofVirtual().start(() -> {
                try (var in = new BufferedReader(new InputStreamReader(events.body()))) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if (line.equals("event: message")) {
                            replies.add(Instant.now());
                        }
                    }
                } catch (Exception e) {
                    // closed by us at the end of the chat, or by the host
                }
            });
            return new ReplyStream(replies, events.body(), reader);
        }

        @Override
        public void close() throws IOException {
            body.close();
            reader.interrupt();
        }
    }
}
