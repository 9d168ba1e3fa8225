package dev.claw4j.web;

import io.javalin.http.Context;
import io.javalin.http.Cookie;
import io.javalin.http.HttpStatus;
import io.javalin.http.SameSite;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every request to the web chat passes before a handler sees it, in this order:
 * <ol>
 *   <li>the {@code Host} header is one of the listener's own names: a page on a domain its owner pointed at
 *       127.0.0.1 (DNS rebinding) reaches the socket but not the chat (403);</li>
 *   <li>an {@code Origin}, when sent, is one of those names too: another site's page is refused (403);</li>
 *   <li>the install's token, as a cookie or {@code Authorization: Bearer}; opening the page with
 *       {@code ?token=} sets the cookie and redirects to the clean address (401 otherwise);</li>
 *   <li>a request that changes state carries {@code Content-Type: application/json}: the types a plain HTML
 *       form or a "simple" cross-site fetch can send never reach a handler (415).</li>
 * </ol>
 * Refusals go to the audit trail, at most one record per kind every 10 seconds, so a page that keeps trying
 * cannot flood it; the count of those not recorded goes with the next record.
 */
final class WebGuard {
    static final String TOKEN_COOKIE = "claw4j_token";
    static final String SECRET_ATTRIBUTE = "claw4j.sender.secret";

    private static final Logger log = LoggerFactory.getLogger(WebGuard.class);
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int COOKIE_MAX_AGE = (int) TimeUnit.DAYS.toSeconds(365);
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    private final WebSettings settings;
    private final WebToken token;
    private final Consumer<String> audit;
    private final Map<String, Reports> reports = new ConcurrentHashMap<>();

    WebGuard(WebSettings settings, WebToken token, Consumer<String> audit) {
        this.settings = settings;
        this.token = token;
        this.audit = audit;
    }

    void check(Context ctx) {
        // on every answer, refusals included: no framing (clickjacking), no sniffing, no caching, no referrer
        ctx.header("X-Frame-Options", "DENY");
        ctx.header("Content-Security-Policy", "frame-ancestors 'none'");
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-store");

        Set<String> hosts = hostNames(ctx.req().getLocalPort());
        String host = ctx.header("Host");
        if (host == null || !hosts.contains(host.strip().toLowerCase(Locale.ROOT))) {
            throw refuse("host", 403, "request with Host " + quoted(host),
                    "refused: this web chat answers only to its own names (" + String.join(", ", hosts)
                            + "), and this request came for " + quoted(host) + " (a page on another domain that"
                            + " points at this machine, i.e. DNS rebinding, is refused); open it at "
                            + pageBase(ctx.req().getLocalPort()) + ", or add the name to connectors.web.allowedHosts"
                            + " if you reach it through a proxy");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !isOwnOrigin(origin.strip().toLowerCase(Locale.ROOT), hosts)) {
            throw refuse("origin", 403, "request from Origin " + quoted(origin),
                    "refused: a page from " + quoted(origin) + " may not use this web chat; only its own page"
                            + " may (" + pageBase(ctx.req().getLocalPort()) + "); if you reach it through a proxy,"
                            + " add that name to connectors.web.allowedHosts");
        }

        String method = ctx.req().getMethod();
        String fromQuery = method.equals("GET") && ctx.path().equals("/") ? ctx.queryParam("token") : null;
        if (fromQuery != null) {
            if (!token.matches(fromQuery)) {
                throw refuse("token", 401, "page opened with a wrong ?token=", noToken("the token in this address is"
                        + " not this install's"));
            }
            // The token moves into an HttpOnly cookie (scripts in the page cannot read it) and out of the address
            // bar and the browser history.
            ctx.cookie(cookie(TOKEN_COOKIE, token.value()));
            senderSecret(ctx);
            ctx.redirect("/", HttpStatus.SEE_OTHER);
            return;
        }
        if (!token.matches(ctx.cookie(TOKEN_COOKIE)) && !token.matches(bearer(ctx.header("Authorization")))) {
            boolean tried = ctx.cookie(TOKEN_COOKIE) != null || ctx.header("Authorization") != null;
            throw refuse("token", 401, tried ? "request with a wrong token" : "request without a token",
                    noToken(tried ? "the token sent is not this install's" : "no token was sent"));
        }

        if (!SAFE_METHODS.contains(method) && !isJson(ctx.header("Content-Type"))) {
            throw refuse("content-type", 415, method + " with Content-Type " + quoted(ctx.header("Content-Type")),
                    "refused: send the body as JSON with 'Content-Type: application/json' (this request had "
                            + quoted(ctx.header("Content-Type")) + "); other types are refused so that a form or"
                            + " text/plain post from another site can never reach the chat");
        }
        senderSecret(ctx);
    }

    /** This browser's sender secret (see {@link WebSenders}): its cookie, or a new one set in this answer. */
    static String senderSecret(Context ctx) {
        String known = ctx.attribute(SECRET_ATTRIBUTE);
        if (known != null) {
            return known;
        }
        String secret = ctx.cookie(WebSenders.COOKIE);
        if (!WebSenders.wellFormed(secret)) {
            secret = WebSenders.newSecret();
            ctx.cookie(cookie(WebSenders.COOKIE, secret));
        }
        ctx.attribute(SECRET_ATTRIBUTE, secret);
        return secret;
    }

    /** The page's address, without the token. */
    String pageBase(int port) {
        String bind = settings.bind();
        String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1"
                : bind.contains(":") ? "[" + bind + "]" : bind;
        return "http://" + host + ":" + port + "/";
    }

    /** Every Host value this listener answers to: its loopback names, its bind address, connectors.web.allowedHosts. */
    private Set<String> hostNames(int port) {
        Set<String> names = new LinkedHashSet<>();
        Set<String> bare = new LinkedHashSet<>(Set.of("127.0.0.1", "localhost", "[::1]"));
        String bind = settings.bind().toLowerCase(Locale.ROOT);
        if (!bind.equals("0.0.0.0") && !bind.equals("::")) {
            bare.add(bind.contains(":") ? "[" + bind + "]" : bind);
        }
        for (String entry : settings.allowedHosts()) {
            if (entry.matches(".*:[0-9]+")) {
                names.add(entry); // with a port: exactly that
            } else {
                bare.add(entry); // without: on this port, or on the default port of a proxy in front
                names.add(entry);
            }
        }
        for (String name : bare) {
            names.add(name + ":" + port);
            if (port == 80) {
                names.add(name); // browsers leave the default port out of Host
            }
        }
        return names;
    }

    private static boolean isOwnOrigin(String origin, Set<String> hosts) {
        for (String scheme : new String[] {"http://", "https://"}) {
            if (origin.startsWith(scheme) && hosts.contains(origin.substring(scheme.length()))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        return type.equals("application/json");
    }

    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        return authorization.substring(7).strip();
    }

    private static String noToken(String why) {
        return "this web chat needs its token and " + why + ": open the address claw4j printed when it started"
                + " (the line 'web chat: http://…/?token=…'), which keeps the token in this browser; a script sends"
                + " 'Authorization: Bearer <token>' (the token is in the file " + WebToken.FILE
                + " in claw4j's data directory)";
    }

    private static Cookie cookie(String name, String value) {
        return new Cookie(name, value, "/", COOKIE_MAX_AGE, false, true, null, SameSite.STRICT);
    }

    private Refused refuse(String kind, int status, String what, String message) {
        report(kind, what);
        return new Refused(status, message);
    }

    /** At most one audit record per kind every 10 s; the ones left out are counted into the next. */
    private void report(String kind, String what) {
        Reports r = reports.computeIfAbsent(kind, k -> new Reports());
        long skipped;
        synchronized (r) {
            long now = System.nanoTime();
            if (r.any && now - r.last < REPORT_EVERY_NANOS) {
                r.skipped++;
                return;
            }
            skipped = r.skipped;
            r.any = true;
            r.last = now;
            r.skipped = 0;
        }
        String line = "refused " + what + (skipped > 0 ? " (and " + skipped + " more " + kind
                + " refusals since the last record)" : "");
        log.warn("web chat: {}", line);
        try {
            audit.accept(line);
        } catch (RuntimeException e) { // the refusal stands even when the audit trail cannot take it
            log.warn("web chat: could not audit a refusal: {}", e.toString());
        }
    }

    /** A header value as it may appear in a message, the audit and the log: short, one line, quoted. */
    private static String quoted(String value) {
        if (value == null) {
            return "(none)";
        }
        String shown = value.length() > 80 ? value.substring(0, 80) + "…" : value;
        return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
    }

    private static final class Reports {
        boolean any;
        long last;
        long skipped;
    }
}
