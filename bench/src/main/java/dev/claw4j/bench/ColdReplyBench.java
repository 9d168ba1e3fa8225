package dev.claw4j.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.claw4j.app.Claw4j;
import dev.claw4j.app.Config;
import dev.claw4j.app.demo.DemoModelServer;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.sandbox.DockerClients;
import dev.claw4j.sandbox.DockerSandboxRuntime;
import dev.claw4j.sandbox.SandboxSettings;
import dev.claw4j.web.WebConnector;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A new chat's first message to its reply, with a model that answers at once: {@code CHATS} new web chats one
 * after the other (each a new group, so a new sandbox), through the web API of a host in this process. Each
 * reply is split into its steps, timed inside the host (through {@link TimedRuntime}) and at the model:
 * <ul>
 *   <li>host: received → sandbox start called; container create + start + attach; JVM start → ready line read;
 *       ready → turn.start written;
 *   <li>agent: turn.start written → llm.request read (the agent's turn start: session, request, JSON);
 *   <li>host's model client: llm.request read → request at the model; model answered → llm.response written;
 *   <li>agent: llm.response written → turn.done read; host: turn.done read → reply event read by the client.
 * </ul>
 * The first chat is printed apart: it is also the host's first (its model client's first request). A second
 * message in each chat (a warm sandbox) is the baseline.
 */
public final class ColdReplyBench {
    public static void main(String[] args) throws Exception {
        int chats = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        Path data = Files.createTempDirectory("claw4j-bench-cold-");
        try (DemoModelServer demo = new DemoModelServer(0).start()) {
            TimedModel model = new TimedModel(demo);
            try {
                Config config = Config.defaults().withDataDir(data).withAccess(new Config.Access("open", null, null, null))
                        .withConnectors(new Config.Connectors(new Config.Web(true, "127.0.0.1", 0)));
                var runtime = new TimedRuntime(new DockerSandboxRuntime(DockerClients.connect(),
                        new SandboxSettings("runsc", false, null, "bench-" + ProcessHandle.current().pid())));
                try (Claw4j claw4j = new Claw4j(config, runtime, ModelSettings.of("openai", "demo", "k", model.baseUrl()))) {
                    claw4j.start();
                    // a person writes a while after the host started, not in the same millisecond: its start-up
                    // work (the model warm-up among it) is done by then, and does not share the CPU with the chat
                    Thread.sleep(5000);
                    run(claw4j, runtime, model, data, chats);
                }
            } finally {
                model.server.stop(0);
            }
        }
    }

    private static void run(Claw4j claw4j, TimedRuntime runtime, TimedModel model, Path data, int chats)
            throws Exception {
        int port = ((WebConnector) claw4j.connector("web")).port();
        String auth = "Bearer " + Files.readString(data.resolve("web-token")).strip();
        HttpClient http = HttpClient.newHttpClient();
        Map<String, List<Double>> steps = new LinkedHashMap<>();
        List<Double> cold = new ArrayList<>();
        List<Double> warm = new ArrayList<>();
        List<Double> idle = new ArrayList<>();
        List<Double> busy = new ArrayList<>();
        List<Double> afterBusy = new ArrayList<>();
        for (int c = 0; c < chats; c++) {
            String chat = "dm-cold-" + c;
            LinkedBlockingQueue<Instant> replies = WebChats.ReplyStream.open(http, port, auth, chat).replies();
            Instant posted = Instant.now();
            MessagePathBench.post(http, port, auth, chat, "hello");
            Instant delivered = replies.poll(120, TimeUnit.SECONDS);
            if (delivered == null) {
                throw new IllegalStateException("no reply in 120 s to the first message of " + chat);
            }
            cold.add(MessagePathBench.ms(posted, delivered));
            Instant posted2 = Instant.now();
            MessagePathBench.post(http, port, auth, chat, "hello again");
            Instant delivered2 = replies.poll(120, TimeUnit.SECONDS);
            if (delivered2 == null) {
                throw new IllegalStateException("no reply in 120 s to the second message of " + chat);
            }
            warm.add(MessagePathBench.ms(posted2, delivered2));
            String sandbox = runtime.lastStartedName(claw4j.store().groups().groupForBinding("web:chat:" + chat).orElseThrow());
            Thread.sleep(1000);
            idle.add(memoryMiB(runtime, sandbox));
            // busy: a command whose large output the agent captures, shortens and encodes
            var busiest = new java.util.concurrent.atomic.AtomicLong();
            var turnOver = new java.util.concurrent.atomic.AtomicBoolean();
            // a stats read takes about a second: the sampler finishes the one under way when the turn ends
            Thread sampler = Thread.ofVirtual().start(() -> {
                while (!turnOver.get()) {
                    busiest.accumulateAndGet((long) memoryMiB(runtime, sandbox), Math::max);
                }
            });
            MessagePathBench.post(http, port, auth, chat, "run: seq 1 300000; sleep 2");
            if (replies.poll(120, TimeUnit.SECONDS) == null) {
                throw new IllegalStateException("no reply in 120 s to the third message of " + chat);
            }
            turnOver.set(true);
            sampler.join();
            busy.add((double) busiest.get());
            Thread.sleep(1000);
            afterBusy.add(memoryMiB(runtime, sandbox));

            String group = claw4j.store().groups().groupForBinding("web:chat:" + chat).orElseThrow();
            ChatLine in = claw4j.store().messages().history("web", chat).getFirst();
            Instant called = first(runtime.startCalled, group);
            Instant returned = first(runtime.startReturned, group);
            Instant ready = first(runtime.readyRead, group);
            Instant turnStart = first(runtime.turnStartWritten, group);
            Instant llmRequest = first(runtime.llmRequestRead, group);
            Instant arrived = model.firstAfter(model.arrived, llmRequest);
            Instant answered = model.firstAfter(model.answered, arrived);
            Instant llmResponse = first(runtime.llmResponseWritten, group);
            Instant done = first(runtime.turnDoneRead, group);
            Map<String, Instant> marks = new LinkedHashMap<>();
            marks.put("POST sent", posted);
            marks.put("received (stored) -> sandbox start called", in.at());
            marks.put("start called -> returned (create, start, attach)", called);
            marks.put("start returned -> ready line read (JVM start)", returned);
            marks.put("ready read -> turn.start written (host)", ready);
            marks.put("turn.start -> llm.request read (agent)", turnStart);
            marks.put("llm.request read -> at the model (host client)", llmRequest);
            marks.put("at the model -> answered (model)", arrived);
            marks.put("answered -> llm.response written (host)", answered);
            marks.put("llm.response -> turn.done read (agent)", llmResponse);
            marks.put("turn.done read -> reply event read (host)", done);
            marks.put("", delivered);
            List<Map.Entry<String, Instant>> list = new ArrayList<>(marks.entrySet());
            for (int i = 1; i < list.size() - 1; i++) {
                steps.computeIfAbsent(list.get(i).getKey(), k -> new ArrayList<>())
                        .add(MessagePathBench.ms(list.get(i).getValue(), list.get(i + 1).getValue()));
            }
            if (c == 0) {
                System.out.printf("the host's first chat: message -> reply %.0f ms%n", cold.getFirst());
                for (int i = 1; i < list.size() - 1; i++) {
                    System.out.printf("  %-50s %7.1f%n", list.get(i).getKey(),
                            MessagePathBench.ms(list.get(i).getValue(), list.get(i + 1).getValue()));
                }
            }
        }
        System.out.printf("cold reply: %d new chats one after the other, %s, instant scripted model, web API,"
                + " host in this process%n", chats, runtime.isolation().describe());
        System.out.println("  ms                                                     p50      p99      max");
        row("new chat: message -> reply (POST sent -> event read)", cold);
        for (var e : steps.entrySet()) {
            row("  " + e.getKey(), e.getValue());
        }
        row("same chat, second message (warm sandbox)", warm);
        System.out.println("  sandbox memory, MiB, as the runtime reports it (docker stats: under runsc the sandbox's cgroup)");
        row("idle (1 s after the second reply)", idle);
        row("busy (sampled a turn: seq 1 300000; sleep 2)", busy);
        row("1 s after that turn", afterBusy);
    }

    private static double memoryMiB(TimedRuntime runtime, String sandbox) {
        return runtime.usage(sandbox).map(u -> u.memoryBytes() / 1048576.0).orElse(0.0);
    }

    private static Instant first(Map<String, List<Instant>> map, String group) {
        List<Instant> list = TimedRuntime.of(map, group);
        if (list.isEmpty()) {
            throw new IllegalStateException("no mark for group " + group + " (did the turn run?)");
        }
        return list.getFirst();
    }

    private static void row(String name, List<Double> v) {
        System.out.printf("  %-52s %7.1f  %7.1f  %7.1f%n", name, MessagePathBench.pct(v, 50),
                MessagePathBench.pct(v, 99), MessagePathBench.pct(v, 100));
    }

    /** The demo model behind a relay that notes when each chat completion arrived and was answered. */
    private static final class TimedModel {
        final List<Instant> arrived = new CopyOnWriteArrayList<>();
        final List<Instant> answered = new CopyOnWriteArrayList<>();
        final HttpServer server;
        private final HttpClient http = HttpClient.newHttpClient();
        private final String target;

        TimedModel(DemoModelServer demo) throws IOException {
            target = demo.baseUrl().replaceFirst("/v1$", "");
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", this::relay);
            server.start();
        }

        String baseUrl() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
        }

        Instant firstAfter(List<Instant> marks, Instant after) {
            return marks.stream().filter(t -> !t.isBefore(after)).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no model request after " + after));
        }

        private void relay(HttpExchange exchange) throws IOException {
            try (exchange) {
                boolean completion = exchange.getRequestURI().getPath().endsWith("/chat/completions");
                if (completion) {
                    arrived.add(Instant.now());
                }
                byte[] body = exchange.getRequestBody().readAllBytes();
                var request = HttpRequest.newBuilder(URI.create(target + exchange.getRequestURI()))
                        .header("Content-Type", "application/json")
                        .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body)).build();
                HttpResponse<byte[]> answer = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
                exchange.getResponseBody().write(answer.body());
                if (completion) {
                    answered.add(Instant.now());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
