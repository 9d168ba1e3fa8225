package dev.claw4j.app.console;

import static dev.claw4j.app.console.Html.ago;
import static dev.claw4j.app.console.Html.age;
import static dev.claw4j.app.console.Html.esc;
import static dev.claw4j.app.console.Html.time;
import static dev.claw4j.app.console.Html.url;

import dev.claw4j.app.admin.AccessApi;
import dev.claw4j.core.budget.GroupUsage;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.model.ChatLine;
import dev.claw4j.core.store.AuditEvent;
import dev.claw4j.core.store.Messages;
import dev.claw4j.core.store.Store;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The console's pages, rendered on the server from the store, the live host and the access records. Every value
 * that is not this class's own markup is escaped: agents and strangers write much of what is shown here.
 */
final class Pages {
    /** Audit kinds that the overview lists as errors. */
    static final List<String> ERROR_KINDS = List.of("sandbox.failed", "sandbox.crashed", "sandbox.killed",
            "turn.timeout", "agent.error", "host.call.refused", "host.send_file.refused", "folder.refused",
            "mount.refused", "budget.exceeded");
    static final int TIMELINE = 200;
    static final int AUDIT_ROWS = 500;

    private static final String CSS = """
            body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2433;background:#f5f6f8}
            header{background:#1d2433;color:#fff;padding:8px 16px;display:flex;gap:16px;align-items:center}
            header a{color:#cfe0ff;text-decoration:none}header b{margin-right:12px}header form{margin-left:auto}
            main{padding:12px 16px;max-width:1200px}section{background:#fff;border:1px solid #dde1e8;border-radius:6px;
            padding:8px 12px;margin:0 0 12px}h2{font-size:15px;margin:4px 0 8px}table{border-collapse:collapse;width:100%}
            th,td{text-align:left;padding:4px 6px;border-bottom:1px solid #eef0f3;vertical-align:top}
            th{font-weight:600;color:#555}td form{display:inline}pre{white-space:pre-wrap;margin:0;font:12px/1.35 monospace}
            .up{color:#1a7f37;font-weight:600}.down{color:#b42318;font-weight:600}.muted{color:#777}
            .flash{background:#e7f5ec;border:1px solid #b7e0c3;padding:6px 10px;border-radius:4px;margin-bottom:10px}
            .error{background:#fdecea;border:1px solid #f5c2bd;padding:6px 10px;border-radius:4px;margin-bottom:10px}
            button{font:inherit;padding:2px 8px;cursor:pointer}.in{color:#0b4f9c}.out{color:#6b3fa0}
            input[type=text],input[type=password],select{font:inherit;padding:3px 6px}
            """;

    private final Store store;
    private final HostView host;
    private final AccessApi access;
    private final ConsoleSources sources;
    private final Clock clock;

    Pages(Store store, HostView host, AccessApi access, ConsoleSources sources, Clock clock) {
        this.store = store;
        this.host = host;
        this.access = access;
        this.sources = sources;
        this.clock = clock;
    }

    // ---------------------------------------------------------------- frame

    /** A whole page: {@code nonce} lets only this page's own style and script run (the CSP names it). */
    static String page(String title, String nonce, String csrf, String flash, String body, String script) {
        StringBuilder h = new StringBuilder(8192);
        h.append("<!doctype html><html lang=en><head><meta charset=utf-8><title>").append(esc(title))
                .append(" · claw4j console</title><style nonce=\"").append(nonce).append("\">").append(CSS)
                .append("</style></head><body><header><b>claw4j console</b>");
        if (csrf != null) {
            h.append("<a href=\"/\">Overview</a><a href=\"/groups\">Groups</a><a href=\"/access\">Access</a>"
                    + "<a href=\"/tasks\">Tasks</a>").append(form("/logout", csrf, "Log out", ""));
        }
        h.append("</header><main>");
        if (flash != null) {
            h.append("<div class=flash id=flash>").append(esc(flash)).append("</div>");
        }
        h.append(body).append("</main>");
        if (script != null) {
            h.append("<script nonce=\"").append(nonce).append("\">").append(script).append("</script>");
        }
        return h.append("</body></html>").toString();
    }

    /** A one-button POST form carrying the session's CSRF token. */
    static String form(String action, String csrf, String label, String hidden) {
        return "<form method=post action=\"" + esc(action) + "\"><input type=hidden name=csrf value=\"" + esc(csrf)
                + "\">" + hidden + "<button type=submit>" + esc(label) + "</button></form>";
    }

    static String hidden(String name, String value) {
        return "<input type=hidden name=\"" + esc(name) + "\" value=\"" + esc(value) + "\">";
    }

    static String login(String nonce, String error) {
        String body = "<section><h2>Log in</h2>" + (error == null ? "" : "<div class=error id=error>" + esc(error) + "</div>")
                + "<p>Paste the admin token: <code>./claw4j admin token</code> prints it.</p>"
                + "<form method=post action=\"/login\"><input type=password name=token id=token size=50 "
                + "autocomplete=off autofocus> <button type=submit id=login>Log in</button></form></section>";
        return page("Log in", nonce, null, null, body, null);
    }

    // ---------------------------------------------------------------- overview

    static final String LIVE_SCRIPT = "new EventSource('/events').addEventListener('overview',"
            + "function(e){document.getElementById('live').innerHTML=e.data;});";

    String overview(String nonce, String csrf, String flash) {
        return page("Overview", nonce, csrf, flash, "<div id=live>" + overviewFragment() + "</div>", LIVE_SCRIPT);
    }

    /** The live part of the overview; the SSE stream sends it again whenever it changed. */
    String overviewFragment() {
        Instant now = clock.instant();
        StringBuilder h = new StringBuilder(4096);
        h.append("<section id=connectors><h2>Connectors</h2><table><tr><th>platform<th>state<th>last message");
        for (HostView.ConnectorState c : host.connectors()) {
            h.append("<tr><td>").append(esc(c.platform())).append("<td class=").append(c.up() ? "up>up" : "down>down")
                    .append("<td>").append(esc(ago(c.lastEvent(), now)));
        }
        h.append("</table></section>");

        List<HostView.SandboxState> sandboxes = host.sandboxes();
        h.append("<section id=sandboxes><h2>Sandboxes live: ").append(sandboxes.size()).append("</h2>");
        if (sandboxes.isEmpty()) {
            h.append("<p class=muted>none running</p>");
        } else {
            h.append("<table><tr><th>group<th>container<th>isolation<th>age<th>limits<th>memory / CPU now");
            for (HostView.SandboxState s : sandboxes) {
                h.append("<tr class=sandbox data-group=\"").append(esc(s.groupId())).append("\"><td><a href=\"/groups/")
                        .append(url(s.groupId())).append("\">").append(esc(s.groupId())).append("</a><td>")
                        .append(esc(s.name())).append("<td>").append(esc(s.isolation())).append("<td>")
                        .append(esc(age(s.since(), now))).append("<td>").append(esc(s.limits())).append("<td>")
                        .append(esc(s.usage()));
            }
            h.append("</table>");
        }
        h.append("</section>");

        HostView.QueueState q = host.queue();
        Messages.Backlog backlog = store.messages().backlog();
        h.append("<section id=queue><h2>Queue</h2><p>sandboxes held: ").append(q.slotsUsed()).append(" of ")
                .append(q.maxSandboxes()).append(" · groups waiting for one: ").append(q.waitingGroups().size());
        if (!q.waitingGroups().isEmpty()) {
            h.append(" (").append(esc(String.join(", ", q.waitingGroups()))).append(")");
        }
        h.append(" · messages waiting for a turn: ").append(backlog.messages());
        if (backlog.oldest() != null) {
            h.append(", the oldest for ").append(esc(age(backlog.oldest(), now)));
        }
        h.append("</p></section>");

        Instant midnight = LocalDate.ofInstant(now, ZoneOffset.UTC).atStartOfDay(ZoneOffset.UTC).toInstant();
        Messages.Traffic traffic = store.messages().trafficSince(midnight);
        h.append("<section id=today><h2>Today (since 00:00 UTC)</h2><p>messages in: ").append(traffic.inbound())
                .append(" · replies out: ").append(traffic.outbound()).append(" · model tokens: ")
                .append(store.usage().tokensSince(midnight)).append("</p></section>");

        List<AuditEvent> errors = store.audit().recentAudit(ERROR_KINDS, 10);
        h.append("<section id=errors><h2>Recent errors</h2>");
        if (errors.isEmpty()) {
            h.append("<p class=muted>none</p>");
        } else {
            h.append("<table><tr><th>when<th>group<th>what<th>detail");
            for (AuditEvent e : errors) {
                h.append("<tr><td>").append(esc(ago(e.at(), now))).append("<td>").append(groupLink(e.groupId()))
                        .append("<td>").append(esc(e.kind())).append("<td><pre>").append(esc(e.detail())).append("</pre>");
            }
            h.append("</table>");
        }
        return h.append("</section>").toString();
    }

    // ---------------------------------------------------------------- groups

    String groups(String nonce, String csrf, String flash) {
        Instant now = clock.instant();
        LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
        Instant midnight = today.atStartOfDay(ZoneOffset.UTC).toInstant();
        Instant monthStart = today.withDayOfMonth(1).atStartOfDay(ZoneOffset.UTC).toInstant();
        StringBuilder h = new StringBuilder(8192);
        List<String> groups = store.groups().groups();
        h.append("<section><h2>Groups: ").append(groups.size()).append("</h2>");
        if (groups.isEmpty()) {
            h.append("<p class=muted>no group yet: one is made when a chat first talks to the bot</p>");
        } else {
            h.append("<table id=groups><tr><th>group<th>chats<th>bound by<th>last activity<th>tokens today"
                    + "<th>tokens this month<th>budget<th>sandbox<th>state<th>actions");
            for (String g : groups) {
                h.append("<tr data-group=\"").append(esc(g)).append("\"><td>").append(groupLink(g)).append("<td>")
                        .append(esc(String.join(", ", store.messages().chatsOf(g)))).append("<td>")
                        .append(esc(String.join(", ", store.groups().bindingsOf(g)))).append("<td>")
                        .append(esc(ago(store.messages().lastActivity(g).orElse(null), now))).append("<td>")
                        .append(store.usage().tokensSince(g, midnight)).append("<td>").append(store.usage().tokensSince(g, monthStart))
                        .append("<td>").append(esc(budget(g))).append("<td>")
                        .append(host.hasSandbox(g) ? "running" : "<span class=muted>none</span>").append("<td>")
                        .append(host.isPaused(g) ? "<b>paused</b>" : "active").append("<td>").append(actions(g, csrf));
            }
            h.append("</table>");
        }
        h.append("</section>");
        return page("Groups", nonce, csrf, flash, h.toString(), null);
    }

    private String budget(String group) {
        return sources.budget(group).orElse("not configured");
    }

    private String actions(String g, String csrf) {
        String base = "/groups/" + url(g);
        return form(base + "/reset", csrf, "Reset conversation", "")
                + (host.hasSandbox(g) ? form(base + "/stop", csrf, "Stop sandbox", "") : "")
                + (host.isPaused(g) ? form(base + "/resume", csrf, "Resume", "") : form(base + "/pause", csrf, "Pause", ""));
    }

    /**
     * One group: its state, actions, budget form, conversation and audit trail ({@code kind}, {@code text} filter
     * it); {@code budgetError} says what was wrong with the budget form just sent.
     */
    String group(String g, String nonce, String csrf, String flash, String kind, String text, String budgetError) {
        Instant now = clock.instant();
        StringBuilder h = new StringBuilder(16384);
        h.append("<section><h2>Group ").append(esc(g)).append("</h2><p>chats: ")
                .append(esc(String.join(", ", store.messages().chatsOf(g)))).append(" · bound by: ")
                .append(esc(String.join(", ", store.groups().bindingsOf(g)))).append(" · last activity: ")
                .append(esc(ago(store.messages().lastActivity(g).orElse(null), now))).append(" · sandbox: ")
                .append(host.hasSandbox(g) ? "running" : "none").append(" · ")
                .append(host.isPaused(g) ? "<b>paused</b>" : "active").append(" · budget: ").append(esc(budget(g)))
                .append("</p>").append(actions(g, csrf)).append("</section>");
        sources.budgetLimits(g).ifPresent(b -> h.append(budgetForm(g, csrf, b, budgetError)));

        List<ChatLine> lines = store.messages().groupMessages(g, TIMELINE);
        h.append("<section id=timeline><h2>Conversation (last ").append(TIMELINE).append(")</h2>");
        if (lines.isEmpty()) {
            h.append("<p class=muted>no messages</p>");
        } else {
            h.append("<table><tr><th>when<th><th>who<th>status<th>text");
            for (ChatLine l : lines) {
                boolean in = l.direction().equals(Store.IN);
                h.append("<tr class=").append(in ? "in" : "out").append("><td>").append(esc(time(l.at())))
                        .append("<td>").append(in ? "→" : "←").append("<td>").append(esc(l.sender())).append("<td>")
                        .append(esc(l.status())).append("<td><pre class=text>").append(esc(l.text())).append("</pre>");
            }
            h.append("</table>");
        }
        h.append("</section>");

        // filtered and capped in the database: a busy group's trail is long
        java.util.SortedMap<String, Long> kinds = store.audit().auditKinds(g);
        long total = kinds.values().stream().mapToLong(Long::longValue).sum();
        List<AuditEvent> shown = store.audit().groupAudit(g, kind, text, AUDIT_ROWS);
        h.append("<section id=audit><h2>Audit trail</h2><form method=get action=\"/groups/").append(url(g))
                .append("\">kind <select name=kind id=kind><option value=\"\">all</option>");
        for (var k : kinds.entrySet()) {
            h.append("<option").append(k.getKey().equals(kind) ? " selected" : "").append(" value=\"")
                    .append(esc(k.getKey())).append("\">").append(esc(k.getKey())).append(" (").append(k.getValue())
                    .append(")</option>");
        }
        h.append("</select> text <input type=text name=q id=q value=\"").append(esc(text)).append("\"> "
                + "<button type=submit id=filter>Filter</button></form><p class=muted>showing ")
                .append(shown.size()).append(shown.size() == AUDIT_ROWS ? " (the newest; narrow the filter for older)" : "")
                .append(" of ").append(total).append(" events, newest first. Model calls show model, outcome, time, "
                        + "attempts and tokens; tool calls show the tool, its command, the exit code (→ exit N), "
                        + "ok/failed and time.</p>");
        h.append("<table><tr><th>when<th>kind<th>detail<th>isolation");
        for (AuditEvent e : shown) {
            h.append("<tr class=audit data-kind=\"").append(esc(e.kind())).append("\"><td>").append(esc(time(e.at())))
                    .append("<td>").append(esc(e.kind())).append("<td><pre>").append(esc(e.detail())).append("</pre><td>")
                    .append(esc(e.isolation()));
        }
        h.append("</table></section>");
        return page("Group " + g, nonce, csrf, flash, h.toString(), null);
    }

    /** The limits in force, where they come from, and a form to override or clear them. */
    private static String budgetForm(String g, String csrf, ConsoleSources.BudgetLimits b, String error) {
        String from = switch (b.source()) {
            case OVERRIDE -> "a run-time override (set here, or with ./claw4j budgets set)";
            case CONFIG_GROUP -> "this group's config (budgets.groups." + g + ")";
            case DEFAULT -> "the default (budgets.default in the config)";
        };
        Limits l = b.limits();
        StringBuilder h = new StringBuilder(2048);
        h.append("<section id=budget><h2>Budget limits</h2>");
        if (error != null) {
            h.append("<div class=error id=budget-error>").append(esc(error)).append("</div>");
        }
        h.append("<p>in force: <span id=budget-limits>").append(esc(limitsText(l, b.currency())))
                .append("</span> · from <span id=budget-source data-source=\"")
                .append(esc(b.source().name().toLowerCase(java.util.Locale.ROOT))).append("\">").append(esc(from))
                .append("</span></p><form method=post id=budget-form action=\"/groups/").append(url(g))
                .append("/budget\"><input type=hidden name=csrf value=\"").append(esc(csrf)).append("\">")
                .append(field("dailyTokens", "daily tokens", l.dailyTokens()))
                .append(field("monthlyTokens", "monthly tokens", l.monthlyTokens()))
                .append(field("dailyCost", "daily cost (" + b.currency() + ")", plain(l.dailyCost())))
                .append(field("monthlyCost", "monthly cost (" + b.currency() + ")", plain(l.monthlyCost())))
                .append(" <button type=submit id=budget-set>Set override</button></form>")
                .append("<p class=muted>An empty field is no limit. The override replaces the config's limits for "
                        + "this group, whole, until it is cleared.</p>");
        if (b.source() == GroupUsage.Source.OVERRIDE) {
            h.append(form("/groups/" + url(g) + "/budget-clear", csrf, "Clear override", ""));
        }
        return h.append("</section>").toString();
    }

    private static String field(String name, String label, Object value) {
        return " <label>" + esc(label) + " <input type=text size=10 name=" + name + " id=" + name + " value=\""
                + esc(value) + "\"></label>";
    }

    private static String plain(BigDecimal value) {
        return value == null ? null : value.toPlainString();
    }

    /** "daily tokens 2000 · monthly cost 50 USD", or "no limits". */
    static String limitsText(Limits l, String currency) {
        if (l.none()) {
            return "no limits";
        }
        StringJoiner out = new StringJoiner(" · ");
        if (l.dailyTokens() != null) {
            out.add("daily tokens " + l.dailyTokens());
        }
        if (l.monthlyTokens() != null) {
            out.add("monthly tokens " + l.monthlyTokens());
        }
        if (l.dailyCost() != null) {
            out.add("daily cost " + l.dailyCost().toPlainString() + " " + currency);
        }
        if (l.monthlyCost() != null) {
            out.add("monthly cost " + l.monthlyCost().toPlainString() + " " + currency);
        }
        return out.toString();
    }

    private static String groupLink(String g) {
        return g == null ? "<span class=muted>host</span>"
                : "<a href=\"/groups/" + url(g) + "\">" + esc(g) + "</a>";
    }

    // ---------------------------------------------------------------- access, tasks

    String access(String nonce, String csrf, String flash) {
        AccessApi.Overview o = access.overview();
        StringBuilder h = new StringBuilder(8192);
        h.append("<section><h2>Policies</h2><p>direct messages: <b>").append(esc(o.dmPolicy()))
                .append("</b> · group chats: <b>").append(esc(o.groupsPolicy())).append("</b></p></section>");
        h.append("<section id=pending><h2>Waiting for approval: ").append(o.pending().size()).append("</h2>");
        if (o.pending().isEmpty()) {
            h.append("<p class=muted>no pending codes</p>");
        } else {
            h.append("<table><tr><th>code<th>for<th>asked by<th>expires<th>actions");
            for (AccessApi.Pending p : o.pending()) {
                String what = p.chatId() == null ? "a direct message" : "group chat " + p.platform() + ":" + p.chatId();
                h.append("<tr data-code=\"").append(esc(p.code())).append("\"><td><code>").append(esc(p.code()))
                        .append("</code><td>").append(esc(what)).append("<td>").append(esc(p.userName())).append(" (")
                        .append(esc(p.platform() + ":" + p.userId())).append(")<td>").append(esc(p.expiresAt()))
                        .append("<td>").append(form("/access/approve", csrf, "Approve", hidden("code", p.code())))
                        .append(form("/access/deny", csrf, "Deny", hidden("code", p.code())));
            }
            h.append("</table>");
        }
        h.append("</section><section id=granted><h2>People let in by a code</h2>");
        if (o.granted().isEmpty()) {
            h.append("<p class=muted>none</p>");
        } else {
            h.append("<table><tr><th>person<th>since<th>by<th>");
            for (AccessApi.Granted g : o.granted()) {
                h.append("<tr><td>").append(esc(g.platform() + ":" + g.userId())).append("<td>").append(esc(g.grantedAt()))
                        .append("<td>").append(esc(g.grantedBy())).append("<td>").append(form("/access/revoke", csrf,
                                "Revoke", hidden("platform", g.platform()) + hidden("userId", g.userId())));
            }
            h.append("</table>");
        }
        h.append("</section><section id=chats><h2>Group chats let in by a code</h2>");
        if (o.grantedChats().isEmpty()) {
            h.append("<p class=muted>none</p>");
        } else {
            h.append("<table><tr><th>chat<th>since<th>by<th>");
            for (AccessApi.GrantedChat g : o.grantedChats()) {
                h.append("<tr><td>").append(esc(g.platform() + ":" + g.chatId())).append("<td>").append(esc(g.grantedAt()))
                        .append("<td>").append(esc(g.grantedBy())).append("<td>").append(form("/access/revoke", csrf,
                                "Revoke", hidden("platform", g.platform()) + hidden("chatId", g.chatId())));
            }
            h.append("</table>");
        }
        h.append("</section><section><h2>From the config file (change them there)</h2><p>allowed people: ")
                .append(esc(list(o.allowedUsers()))).append("<br>admins: ").append(esc(list(o.admins())))
                .append("<br>allowed group chats: ").append(esc(list(o.allowedChats()))).append("</p></section>");
        return page("Access", nonce, csrf, flash, h.toString(), null);
    }

    private static String list(List<String> items) {
        return items.isEmpty() ? "none" : String.join(", ", items);
    }

    String tasks(String nonce, String csrf, String flash) {
        Optional<List<ConsoleSources.Task>> tasks = sources.tasks();
        StringBuilder h = new StringBuilder("<section id=tasks><h2>Scheduled tasks</h2>");
        if (tasks.isEmpty()) {
            h.append("<p>Scheduled tasks: not available yet in this build.</p>");
        } else if (tasks.get().isEmpty()) {
            h.append("<p class=muted>no scheduled tasks</p>");
        } else {
            h.append("<table><tr><th>task<th>group<th>schedule<th>next run<th>state<th>what<th>actions");
            for (ConsoleSources.Task t : tasks.get()) {
                String base = "/tasks/" + url(t.id());
                h.append("<tr><td>").append(esc(t.id())).append("<td>").append(groupLink(t.groupId())).append("<td>")
                        .append(esc(t.schedule())).append("<td>").append(esc(t.nextRun())).append("<td>")
                        .append(esc(t.state())).append("<td>").append(esc(t.what())).append("<td>")
                        .append(form(base + "/pause", csrf, "Pause", "")).append(form(base + "/resume", csrf, "Resume", ""))
                        .append(form(base + "/run", csrf, "Run now", ""));
            }
            h.append("</table>");
        }
        return page("Tasks", nonce, csrf, flash, h.append("</section>").toString(), null);
    }
}
