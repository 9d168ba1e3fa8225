package dev.claw4j.core.web;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Fetches a URL for an agent, under its group's {@link WebFetchPolicy}. The host resolves the name itself, refuses
 * it if any address it resolves to is not public ({@link AddressGuard}), and connects to the address it checked:
 * there is no second lookup a rebinding DNS server could answer differently. HTTP/1.1 is spoken over that socket
 * (TLS on top for https, the certificate checked against the URL's host). Redirects are followed here, each hop
 * checked like the first. No cookies, no credentials, no proxy; the body is cut at {@code maxBytes} and the whole
 * fetch, redirects included, at {@code timeout}.
 */
public final class WebFetcher {
    /** DNS, as a seam: tests answer a name with the address they need. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public record Request(String method, String url, String body, String contentType) {}

    /** What came of one fetch: the page, a refusal (the policy or the guard said no), or a failure on the way. */
    public sealed interface Outcome {
        /** The URL the agent asked for. */
        String url();

        long ms();
    }

    /** A response (of any status). {@code cut}: the body was longer than the cap and is only its start. */
    public record Fetched(String url, String finalUrl, int status, String contentType, byte[] body, boolean cut,
                          long ms) implements Outcome {}

    public record Refused(String url, String reason, long ms) implements Outcome {}

    public record Failed(String url, String reason, long ms) implements Outcome {}

    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_TO_SEND = 1 << 20;
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final String USER_AGENT = "claw4j-web-fetch/1 (+https://github.com/claw4j)";

    private final WebFetchPolicy policy;
    private final Resolver resolver;
    private final SSLSocketFactory tls;

    public WebFetcher(WebFetchPolicy policy) {
        this(policy, InetAddress::getAllByName, defaultTls());
    }

    public WebFetcher(WebFetchPolicy policy, Resolver resolver, SSLSocketFactory tls) {
        this.policy = policy;
        this.resolver = resolver;
        this.tls = tls;
    }

    public WebFetchPolicy policy() {
        return policy;
    }

    private static SSLSocketFactory defaultTls() {
        try {
            return SSLContext.getDefault().getSocketFactory();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java runtime has no TLS: " + e.getMessage(), e);
        }
    }

    /** Thrown inside one hop: the fetch ends with this refusal. */
    private static final class RefusedHop extends Exception {
        RefusedHop(String reason) {
            super(reason, null, false, false);
        }
    }

    public Outcome fetch(String groupId, Request request) {
        long start = System.nanoTime();
        long deadline = start + policy.timeout().toNanos();
        String method = request.method() == null || request.method().isBlank() ? "GET"
                : request.method().strip().toUpperCase(Locale.ROOT);
        if (!method.equals("GET") && !method.equals("POST")) {
            return new Refused(request.url(), "only GET and POST are supported, not " + method, ms(start));
        }
        byte[] body = request.body() == null ? null : request.body().getBytes(StandardCharsets.UTF_8);
        if (body != null && method.equals("GET")) {
            return new Refused(request.url(), "a GET has no body; use method POST to send one", ms(start));
        }
        if (body != null && body.length > MAX_BODY_TO_SEND) {
            return new Refused(request.url(), "the body to send is " + body.length + " bytes; at most "
                    + MAX_BODY_TO_SEND + " are sent", ms(start));
        }
        URI url;
        try {
            url = parse(request.url());
        } catch (RefusedHop e) {
            return new Refused(request.url(), e.getMessage(), ms(start));
        }
        String contentType = request.contentType() == null || request.contentType().isBlank()
                ? "application/json" : request.contentType().strip();
        try {
            for (int hop = 0; ; hop++) {
                Response r = exchange(groupId, url, method, body, contentType, deadline, hop);
                String location = r.headers().get("location");
                if (isRedirect(r.status()) && location != null) {
                    if (hop == WebFetchPolicy.MAX_REDIRECTS) {
                        return new Refused(request.url(), "more than " + WebFetchPolicy.MAX_REDIRECTS
                                + " redirects; the last one pointed to " + location, ms(start));
                    }
                    URI next;
                    try {
                        next = parse(url.resolve(location.strip()).toString());
                    } catch (IllegalArgumentException | RefusedHop e) {
                        throw new RefusedHop("redirect " + (hop + 1) + " to '" + location + "' refused: "
                                + (e instanceof RefusedHop ? e.getMessage() : "not a valid URL"));
                    }
                    if (r.status() == 303 || ((r.status() == 301 || r.status() == 302) && method.equals("POST"))) {
                        method = "GET";
                        body = null;
                    }
                    url = next;
                    continue;
                }
                return new Fetched(request.url(), url.toString(), r.status(), r.headers().get("content-type"),
                        r.body(), r.cut(), ms(start));
            }
        } catch (RefusedHop e) {
            return new Refused(request.url(), e.getMessage(), ms(start));
        } catch (SocketTimeoutException e) {
            return new Failed(request.url(), "timed out after " + policy.timeout().toSeconds() + " s", ms(start));
        } catch (IOException e) {
            return new Failed(request.url(), e.getClass().getSimpleName() + ": " + e.getMessage(), ms(start));
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static long ms(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static URI parse(String text) throws RefusedHop {
        if (text == null || text.isBlank()) {
            throw new RefusedHop("no URL given; pass a full URL like https://example.com/page");
        }
        URI url;
        try {
            url = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new RefusedHop("'" + text + "' is not a valid URL: " + e.getReason());
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new RefusedHop("only http and https URLs are fetched, not '" + text + "'");
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw new RefusedHop("'" + text + "' has no host name");
        }
        if (url.getRawUserInfo() != null) {
            throw new RefusedHop("credentials in a URL are never sent; remove the user:password@ part");
        }
        return url;
    }

    private record Response(int status, Map<String, String> headers, byte[] body, boolean cut) {}

    /** One request and response, on a socket to an address this method checked. */
    private Response exchange(String groupId, URI url, String method, byte[] body, String contentType, long deadline,
                              int hop) throws IOException, RefusedHop {
        String host = WebFetchPolicy.normalize(url.getHost());
        String where = hop == 0 ? "" : "redirect " + hop + " to " + url + ": ";
        if (!policy.allows(groupId, host)) {
            throw new RefusedHop(where + policy.howToAllow(groupId, host));
        }
        boolean https = url.getScheme().equalsIgnoreCase("https");
        int port = url.getPort() == -1 ? (https ? 443 : 80) : url.getPort();
        Socket plain = connect(checkedAddresses(host, where), port, deadline);
        try {
            Socket socket = plain;
            if (https) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(plain, host, port, true);
                SSLParameters params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                if (!isLiteral(host)) {
                    params.setServerNames(List.of(new SNIHostName(host)));
                }
                ssl.setSSLParameters(params);
                ssl.setSoTimeout(remainingMs(deadline));
                ssl.startHandshake();
                socket = ssl;
            }
            socket.setSoTimeout(remainingMs(deadline));
            OutputStream out = socket.getOutputStream();
            out.write(head(url, host, port, https, method, body, contentType).getBytes(StandardCharsets.ISO_8859_1));
            if (body != null) {
                out.write(body);
            }
            out.flush();
            return read(new BufferedInputStream(socket.getInputStream()), socket, deadline);
        } finally {
            plain.close();
        }
    }

    /** A socket to the first of the checked addresses that answers (a name may have an IPv6 address we cannot reach). */
    private static Socket connect(InetAddress[] addresses, int port, long deadline) throws IOException {
        IOException last = null;
        for (InetAddress address : addresses) {
            Socket socket = new Socket(Proxy.NO_PROXY);
            try {
                socket.connect(new InetSocketAddress(address, port), remainingMs(deadline));
                return socket;
            } catch (SocketTimeoutException e) {
                socket.close();
                throw e;
            } catch (IOException e) {
                socket.close();
                last = e;
            }
        }
        throw last;
    }

    private InetAddress[] checkedAddresses(String host, String where) throws RefusedHop {
        InetAddress[] addresses;
        try {
            addresses = isLiteral(host) ? new InetAddress[] {InetAddress.getByName(host)} : resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new RefusedHop(where + "the name " + host + " does not resolve");
        }
        if (addresses == null || addresses.length == 0) {
            throw new RefusedHop(where + "the name " + host + " does not resolve");
        }
        // one bad address spoils the name: a resolver mixing public and private answers is an attack, not a setup
        for (InetAddress a : addresses) {
            String why = AddressGuard.whyRefused(a);
            if (why != null && !policy.privateAllowed(a)) {
                throw new RefusedHop(where + host + " resolves to " + a.getHostAddress() + ", " + why
                        + "; the host never fetches from such addresses");
            }
        }
        return addresses;
    }

    private static boolean isLiteral(String host) {
        return host.contains(":") || IPV4_LITERAL.matcher(host).matches();
    }

    private static String head(URI url, String host, int port, boolean https, String method, byte[] body,
                               String contentType) {
        String path = url.getRawPath() == null || url.getRawPath().isEmpty() ? "/" : url.getRawPath();
        if (url.getRawQuery() != null) {
            path += "?" + url.getRawQuery();
        }
        String hostHeader = (host.contains(":") ? "[" + host + "]" : host)
                + (port == (https ? 443 : 80) ? "" : ":" + port);
        StringBuilder h = new StringBuilder()
                .append(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(hostHeader).append("\r\n")
                .append("User-Agent: ").append(USER_AGENT).append("\r\n")
                .append("Accept: text/html, text/plain, application/json, */*;q=0.5\r\n")
                .append("Accept-Encoding: identity\r\n")
                .append("Connection: close\r\n");
        if (body != null) {
            h.append("Content-Type: ").append(contentType.replaceAll("[\r\n]", "")).append("\r\n")
                    .append("Content-Length: ").append(body.length).append("\r\n");
        }
        return h.append("\r\n").toString();
    }

    private Response read(InputStream in, Socket socket, long deadline) throws IOException {
        int status;
        Map<String, String> headers;
        int[] headerBytes = {0};
        do { // 1xx answers come before the real one
            String statusLine = line(in, headerBytes, socket, deadline);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/") || !parts[1].matches("\\d{3}")) {
                throw new IOException("not an HTTP response: " + statusLine.substring(0, Math.min(80,
                        statusLine.length())));
            }
            status = Integer.parseInt(parts[1]);
            headers = new HashMap<>();
            for (String l = line(in, headerBytes, socket, deadline); !l.isEmpty();
                 l = line(in, headerBytes, socket, deadline)) {
                int colon = l.indexOf(':');
                if (colon > 0) {
                    headers.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
                }
            }
        } while (status >= 100 && status < 200);
        if (isRedirect(status) && headers.containsKey("location") || status == 204 || status == 304) {
            return new Response(status, headers, new byte[0], false);
        }
        long max = policy.maxBytes();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean cut;
        if ("chunked".equalsIgnoreCase(headers.getOrDefault("transfer-encoding", ""))) {
            cut = chunked(in, body, max, socket, deadline);
        } else if (headers.containsKey("content-length")) {
            long length;
            try {
                length = Long.parseLong(headers.get("content-length"));
            } catch (NumberFormatException e) {
                throw new IOException("bad Content-Length: " + headers.get("content-length"));
            }
            copy(in, body, Math.min(length, max), socket, deadline);
            cut = length > max;
        } else {
            cut = copy(in, body, max + 1, socket, deadline) > max;
        }
        byte[] bytes = body.toByteArray();
        if (bytes.length > max) {
            bytes = java.util.Arrays.copyOf(bytes, (int) max);
            cut = true;
        }
        return new Response(status, headers, bytes, cut);
    }

    /** Decodes a chunked body into {@code out}, up to {@code max} bytes; true when there was more. */
    private boolean chunked(InputStream in, ByteArrayOutputStream out, long max, Socket socket, long deadline)
            throws IOException {
        int[] lineBytes = {0};
        while (true) {
            lineBytes[0] = 0;
            String size = line(in, lineBytes, socket, deadline);
            int semi = size.indexOf(';');
            long n;
            try {
                n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).strip(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("bad chunk size: " + size);
            }
            if (n == 0) {
                return false;
            }
            long room = max - out.size();
            if (n > room) {
                copy(in, out, room, socket, deadline);
                return true;
            }
            copy(in, out, n, socket, deadline);
            lineBytes[0] = 0;
            line(in, lineBytes, socket, deadline); // the CRLF after the chunk
        }
    }

    /** Copies up to {@code limit} bytes (less at end of stream); returns how many. */
    private static long copy(InputStream in, ByteArrayOutputStream out, long limit, Socket socket, long deadline)
            throws IOException {
        byte[] buffer = new byte[16 * 1024];
        long copied = 0;
        while (copied < limit) {
            socket.setSoTimeout(remainingMs(deadline));
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - copied));
            if (n < 0) {
                break;
            }
            out.write(buffer, 0, n);
            copied += n;
        }
        return copied;
    }

    /** One CRLF- (or LF-) ended line of the response head; the head as a whole is capped. */
    private static String line(InputStream in, int[] count, Socket socket, long deadline) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while (true) {
            socket.setSoTimeout(remainingMs(deadline)); // a server dripping a byte at a time still ends in time
            if ((c = in.read()) == '\n') {
                break;
            }
            if (c < 0) {
                throw new IOException("the server closed the connection mid-response");
            }
            if (++count[0] > MAX_HEADER_BYTES) {
                throw new IOException("the response head is longer than " + MAX_HEADER_BYTES + " bytes");
            }
            if (c != '\r') {
                line.write(c);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    /** What is left of the fetch's time, for a socket timeout; at the deadline, a timeout right away. */
    private static int remainingMs(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }
}
