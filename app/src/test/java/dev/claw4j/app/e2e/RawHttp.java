package dev.claw4j.app.e2e;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * HTTP/1.1 over a plain socket, every header exactly as given: what a hostile page or a DNS-rebound name makes
 * a browser send. java.net.http refuses to set {@code Host}, so the web chat's attack rows speak HTTP by hand.
 */
final class RawHttp {
    record Response(int status, String body) {}

    private RawHttp() {}

    static Response send(int port, String method, String path, Map<String, String> headers, String body)
            throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder request = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n");
        headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
        request.append("Content-Length: ").append(content.length).append("\r\n")
                .append("Connection: close\r\n\r\n");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.write(content);
            out.flush();
            InputStream in = socket.getInputStream();
            String answer = new String(in.readNBytes(1 << 20), StandardCharsets.UTF_8);
            String statusLine = answer.lines().findFirst().orElse("");
            String[] parts = statusLine.split(" ");
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP answer: " + statusLine);
            }
            int bodyStart = answer.indexOf("\r\n\r\n");
            return new Response(Integer.parseInt(parts[1]), bodyStart < 0 ? "" : answer.substring(bodyStart + 4));
        }
    }
}
