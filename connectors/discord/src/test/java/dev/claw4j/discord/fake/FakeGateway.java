package dev.claw4j.discord.fake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/**
 * Discord's Gateway on loopback: HELLO, IDENTIFY (token checked), READY, GUILD_CREATE, heartbeats and their
 * ACKs, dispatches with sequence numbers, and sessions that survive a dropped socket: RESUME replays every
 * event after the client's last sequence, then RESUMED. One session per shard.
 */
final class FakeGateway extends WebSocketServer {
    static final int HEARTBEAT_MS = 2_000;

    /** One shard's session: its log of dispatches (for replay) and its current socket (null while dropped). */
    static final class Session {
        final String id = UUID.randomUUID().toString();
        final int shard;
        final int total;
        final List<String> log = new ArrayList<>(); // index = seq - 1
        volatile WebSocket socket;

        Session(int shard, int total) {
            this.shard = shard;
            this.total = total;
        }
    }

    private final String token;
    private final BiFunction<Integer, Integer, List<ObjectNode>> readyDispatches; // (shard, total) -> READY, GUILD_CREATEs
    private final Map<Integer, Session> sessions = new ConcurrentHashMap<>();
    private final CountDownLatch started = new CountDownLatch(1);
    final List<JsonNode> received = new CopyOnWriteArrayList<>();
    final AtomicInteger identifies = new AtomicInteger();
    final AtomicInteger resumes = new AtomicInteger();
    final AtomicInteger heartbeats = new AtomicInteger();
    /** On RESUME, replay this many events before the client's sequence too (Discord may redeliver). */
    volatile int replayOverlap;
    /** Refuse every IDENTIFY with 4004, whatever the token. */
    volatile boolean refuseToken;

    FakeGateway(String token, BiFunction<Integer, Integer, List<ObjectNode>> readyDispatches) {
        super(new InetSocketAddress("127.0.0.1", 0));
        this.token = token;
        this.readyDispatches = readyDispatches;
        setReuseAddr(true);
        setConnectionLostTimeout(0);
    }

    void startAndWait() throws InterruptedException {
        start();
        if (!started.await(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("fake gateway did not start");
        }
    }

    String url() {
        return "ws://127.0.0.1:" + getPort() + "/gateway";
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        ObjectNode hello = Payloads.JSON.createObjectNode().put("op", 10).putNull("s").putNull("t");
        hello.putObject("d").put("heartbeat_interval", HEARTBEAT_MS);
        conn.send(hello.toString());
    }

    @Override
    public void onMessage(WebSocket conn, String text) {
        JsonNode msg;
        try {
            msg = Payloads.JSON.readTree(text);
        } catch (Exception e) {
            conn.close(4002, "Error while decoding payload.");
            return;
        }
        received.add(msg);
        JsonNode d = msg.path("d");
        switch (msg.path("op").asInt()) {
            case 1 -> {
                heartbeats.incrementAndGet();
                conn.send("{\"op\":11,\"d\":null,\"s\":null,\"t\":null}");
            }
            case 2 -> identify(conn, d);
            case 6 -> resume(conn, d);
            default -> { } // presence updates and the like: nothing to do
        }
    }

    private void identify(WebSocket conn, JsonNode d) {
        if (refuseToken || !token.equals(d.path("token").asText())) {
            conn.close(4004, "Authentication failed.");
            return;
        }
        identifies.incrementAndGet();
        int shard = d.path("shard").path(0).asInt(0);
        int total = d.path("shard").path(1).asInt(1);
        Session s = new Session(shard, total);
        Session old = sessions.put(shard, s);
        if (old != null && old.socket != null && old.socket != conn) {
            old.socket.close(4000);
        }
        s.socket = conn;
        for (ObjectNode event : readyDispatches.apply(shard, total)) {
            String type = event.remove("t").asText();
            if (type.equals("READY")) {
                ObjectNode ready = (ObjectNode) event.get("d");
                ready.put("session_id", s.id).put("resume_gateway_url", url());
                ready.putArray("shard").add(shard).add(total);
            }
            dispatch(s, type, event.get("d"));
        }
    }

    private void resume(WebSocket conn, JsonNode d) {
        Session s = sessions.values().stream().filter(x -> x.id.equals(d.path("session_id").asText())).findFirst()
                .orElse(null);
        if (s == null || !token.equals(d.path("token").asText())) {
            conn.send("{\"op\":9,\"d\":false,\"s\":null,\"t\":null}");
            return;
        }
        resumes.incrementAndGet();
        synchronized (s) {
            s.socket = conn;
            int from = Math.max(0, d.path("seq").asInt() - replayOverlap);
            for (int i = from; i < s.log.size(); i++) {
                conn.send(s.log.get(i));
            }
            ObjectNode resumed = Payloads.JSON.createObjectNode();
            dispatch(s, "RESUMED", resumed);
        }
    }

    /** Sends an event on a shard's session, or keeps it in the log for RESUME while the socket is down. */
    void dispatch(int shard, String type, JsonNode data) {
        Session s = sessions.get(shard);
        if (s == null) {
            throw new IllegalStateException("shard " + shard + " has not identified");
        }
        dispatch(s, type, data);
    }

    private void dispatch(Session s, String type, JsonNode data) {
        synchronized (s) {
            int seq = s.log.size() + 1;
            ObjectNode event = Payloads.JSON.createObjectNode().put("op", 0).put("s", seq).put("t", type);
            event.set("d", data);
            String text = event.toString();
            s.log.add(text);
            WebSocket socket = s.socket;
            if (socket != null && socket.isOpen()) {
                try {
                    socket.send(text);
                } catch (org.java_websocket.exceptions.WebsocketNotConnectedException closing) {
                    // closed between the check and the send (the bot is reconnecting): the log has it for RESUME
                }
            }
        }
    }

    /** Whether any shard's socket is still open. */
    boolean connected() {
        return sessions.values().stream().anyMatch(s -> s.socket != null && s.socket.isOpen());
    }

    boolean connected(int shard) {
        Session s = sessions.get(shard);
        return s != null && s.socket != null && s.socket.isOpen();
    }

    /** The shard total the client identified with (1 before anyone did). */
    int shardsTotal() {
        Session any = sessions.get(0);
        return any == null ? 1 : any.total;
    }

    int shardFor(String guildId) {
        int total = shardsTotal();
        return guildId == null ? 0 : (int) ((Long.parseLong(guildId) >> 22) % total);
    }

    /** Closes shard 0's socket with a resumable code; events dispatched until the client resumes are kept. */
    void drop(int closeCode) {
        Session s = sessions.get(0);
        WebSocket socket;
        synchronized (s) {
            socket = s.socket;
            s.socket = null;
        }
        socket.close(closeCode, "fake drop");
    }

    /** Asks shard 0's client to reconnect (op 7); it should come back with RESUME. */
    void requestReconnect() {
        sessions.get(0).socket.send("{\"op\":7,\"d\":null,\"s\":null,\"t\":null}");
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {
        for (Session s : sessions.values()) {
            synchronized (s) {
                if (s.socket == conn) {
                    s.socket = null;
                }
            }
        }
    }

    @Override
    public void onError(WebSocket conn, Exception ex) {
        if (conn == null) {
            started.countDown();
        }
    }
}
