package dev.claw4j.core.web;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which hosts a group's agent may have the host fetch, and the caps on every fetch. The allowlist is the defaults
 * plus the group's own entries: {@code example.com} (that host), {@code *.example.com} (any host under it, not
 * the name itself) or {@code *} (any host on the public internet). Empty means nothing may be fetched.
 *
 * @param privateAddressesAllowed addresses the SSRF guard lets through although they are private or loopback;
 *                                an operator's (or a test's) explicit choice, never the agent's
 */
public record WebFetchPolicy(List<String> allow, Map<String, List<String>> groups, long maxBytes, Duration timeout,
                             Set<InetAddress> privateAddressesAllowed) {
    public static final long DEFAULT_MAX_BYTES = 2L << 20;
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);
    public static final int MAX_REDIRECTS = 5;

    public WebFetchPolicy {
        allow = List.copyOf(allow == null ? List.of() : allow);
        groups = Map.copyOf(groups == null ? Map.of() : groups);
        privateAddressesAllowed = Set.copyOf(privateAddressesAllowed == null ? Set.of() : privateAddressesAllowed);
        if (maxBytes < 1) {
            throw new IllegalArgumentException("webFetch.maxBytes must be at least 1 byte, got " + maxBytes);
        }
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            throw new IllegalArgumentException("webFetch.timeout must be more than 0, got " + timeout);
        }
        for (String entry : allow) {
            check("webFetch.allow", entry);
        }
        groups.forEach((group, entries) -> entries.forEach(e -> check("webFetch.groups." + group + ".allow", e)));
    }

    /** Nothing allowed: every fetch is refused with a note on how to allow it. */
    public static WebFetchPolicy none() {
        return new WebFetchPolicy(List.of(), Map.of(), DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, Set.of());
    }

    /** Whether {@code host} (a name or an address literal, as in the URL) is on the group's allowlist. */
    public boolean allows(String groupId, String host) {
        String h = normalize(host);
        return allow.stream().anyMatch(e -> matches(e, h))
                || groups.getOrDefault(groupId, List.of()).stream().anyMatch(e -> matches(e, h));
    }

    /** The refusal for a host not on the list, with the exact lines an operator would add to allow it. */
    public String howToAllow(String groupId, String host) {
        return "the host " + normalize(host) + " is not on this chat's web allowlist, so it was not fetched. "
                + "The operator can allow it in claw4j.yaml for every chat with\n"
                + "  webFetch: { allow: [" + normalize(host) + "] }\n"
                + "or for this chat only with\n"
                + "  webFetch: { groups: { " + groupId + ": { allow: [" + normalize(host) + "] } } }";
    }

    public boolean privateAllowed(InetAddress address) {
        return privateAddressesAllowed.contains(address);
    }

    static String normalize(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }

    private static boolean matches(String entry, String host) {
        String e = normalize(entry);
        if (e.equals("*")) {
            return true;
        }
        if (e.startsWith("*.")) {
            return host.endsWith(e.substring(1)) && host.length() > e.length() - 1;
        }
        return host.equals(e);
    }

    private static void check(String key, String entry) {
        if (entry == null || !normalize(entry).matches("\\*|(\\*\\.)?[a-z0-9._:-]+")) {
            throw new IllegalArgumentException(key + ": '" + entry + "' is not a host; write example.com, "
                    + "*.example.com (any host under it) or * (any public host)");
        }
    }
}
