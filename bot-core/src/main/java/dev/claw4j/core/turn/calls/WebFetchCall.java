package dev.claw4j.core.turn.calls;

import dev.claw4j.core.web.ReadableText;
import dev.claw4j.core.web.WebFetcher;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;

/**
 * {@code web_fetch}: the host fetches a URL for the agent, whose sandbox has no network, if the group's web
 * allowlist names the URL's host (see {@link WebFetcher} for the guards). Every fetch leaves one audit record:
 * {@code web.fetch} with the URL, status, bytes and time, or {@code web.fetch.refused} / {@code web.fetch.failed}
 * with the reason.
 */
public final class WebFetchCall implements HostCall {
    /** The most text one answer carries; host⇄agent lines are capped at 1 MiB and the agent shows less anyway. */
    static final int MAX_TEXT_CHARS = 200_000;

    private final WebFetcher fetcher;

    public WebFetchCall(WebFetcher fetcher) {
        this.fetcher = fetcher;
    }

    @Override
    public String method() {
        return "web_fetch";
    }

    @Override
    public HostMessage handle(CallContext context, AgentMessage.HostCall call) {
        String url = call.args().getOrDefault("url", "").strip();
        WebFetcher.Outcome outcome = fetcher.fetch(context.groupId(), new WebFetcher.Request(
                call.args().get("method"), url, call.args().get("body"), call.args().get("contentType")));
        String shown = shorten(url, 300);
        return switch (outcome) {
            case WebFetcher.Refused r -> {
                context.audit("web.fetch.refused", shown + ": " + r.reason());
                yield HostMessage.HostResult.failed(call.id(), "web_fetch refused: " + r.reason());
            }
            case WebFetcher.Failed f -> {
                context.audit("web.fetch.failed", shown + ": " + f.reason() + " after " + f.ms() + " ms");
                yield HostMessage.HostResult.failed(call.id(), "web_fetch failed: " + f.reason());
            }
            case WebFetcher.Fetched page -> {
                context.audit("web.fetch", shown + " status=" + page.status() + " bytes=" + page.body().length
                        + (page.cut() ? " (cut)" : "") + " ms=" + page.ms()
                        + (page.finalUrl().equals(url) ? "" : " via " + shorten(page.finalUrl(), 300)));
                yield HostMessage.HostResult.ok(call.id(), describe(page));
            }
        };
    }

    private String describe(WebFetcher.Fetched page) {
        String text = ReadableText.of(page.body(), page.contentType(), page.finalUrl());
        boolean textCut = text.length() > MAX_TEXT_CHARS;
        StringBuilder out = new StringBuilder()
                .append("HTTP ").append(page.status()).append(" from ").append(page.finalUrl())
                .append(" (").append(page.contentType() == null ? "no content type" : page.contentType())
                .append(", ").append(page.body().length).append(" bytes)\n");
        if (page.cut()) {
            out.append("[the body was cut at ").append(fetcher.policy().maxBytes())
                    .append(" bytes (webFetch.maxBytes); what follows is only its start]\n");
        }
        if (textCut) {
            out.append("[the text was cut at ").append(MAX_TEXT_CHARS).append(" characters]\n");
        }
        return out.append('\n').append(textCut ? text.substring(0, MAX_TEXT_CHARS) : text).toString();
    }

    private static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max) + "…";
    }
}
