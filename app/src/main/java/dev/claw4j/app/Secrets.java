package dev.claw4j.app;

import java.net.URI;

/** How configuration prints what must not reach a log: secrets not at all, URLs without credentials. */
final class Secrets {
    private Secrets() {}

    /** "(set)" or "(none)": whether a secret is there is useful to know; no part of it is. */
    static String mask(String secret) {
        return secret == null || secret.isBlank() ? "(none)" : "(set)";
    }

    /**
     * A URL without its user info, query and fragment, where keys are sometimes put ({@code ?key=…},
     * {@code https://user:key@host/}); whatever does not parse as a URL is not printed.
     */
    static String url(String url) {
        if (url == null || url.isBlank()) {
            return String.valueOf(url);
        }
        try {
            URI u = new URI(url.strip());
            if (u.getScheme() == null || u.getRawAuthority() == null) {
                return "(not a URL)";
            }
            String authority = u.getRawAuthority();
            boolean hidden = authority.contains("@") || u.getRawQuery() != null || u.getRawFragment() != null;
            authority = authority.substring(authority.lastIndexOf('@') + 1);
            return u.getScheme() + "://" + authority + (u.getRawPath() == null ? "" : u.getRawPath())
                    + (hidden ? " (credentials or query hidden)" : "");
        } catch (java.net.URISyntaxException e) {
            return "(not a URL)";
        }
    }
}
