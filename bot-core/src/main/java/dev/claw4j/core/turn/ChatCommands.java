package dev.claw4j.core.turn;

import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.budget.Check;
import dev.claw4j.core.budget.GroupUsage;
import dev.claw4j.core.budget.Limit;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.llm.GroupModels;
import dev.claw4j.core.sandbox.GroupIds;
import dev.claw4j.core.sandbox.SandboxManager;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.StoredInbound;
import dev.claw4j.core.task.Tasks;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Commands the host answers itself, without the agent: {@code /reset} (anyone, for their own chat),
 * {@code /model} (anyone: which model the group talks to), and for admins {@code /reset <group>}, {@code /status},
 * {@code /usage} of every group and {@code /model <name>} (one of config model.named, or default).
 */
final class ChatCommands {
    private final Store store;
    private final GroupFolders folders;
    private final SandboxManager sandboxes;
    private final AccessPolicy access;
    private final Pattern leadingMention;
    private final Budgets budgets;
    private final GroupModels models;

    private final Tasks tasks;

    ChatCommands(Store store, GroupFolders folders, SandboxManager sandboxes, AccessPolicy access, String botName,
                 Budgets budgets, GroupModels models) {
        this(store, folders, sandboxes, access, botName, budgets, models, null);
    }

    /** @param models the per-group models, for {@code /model}; null: one model. @param tasks for {@code /tasks}; null: none */
    ChatCommands(Store store, GroupFolders folders, SandboxManager sandboxes, AccessPolicy access, String botName,
                 Budgets budgets, GroupModels models, Tasks tasks) {
        this.budgets = budgets;
        this.models = models;
        this.tasks = tasks;
        this.store = store;
        this.folders = folders;
        this.sandboxes = sandboxes;
        this.access = access;
        this.leadingMention = Pattern.compile("^\\s*@" + Pattern.quote(botName) + "\\b[:,]?\\s*", Pattern.CASE_INSENSITIVE);
    }

    /** The host's answer to a command, or null when the message is not one. */
    String answer(String groupId, StoredInbound m) {
        String text = leadingMention.matcher(m.text()).replaceFirst("").strip();
        if (!text.startsWith("/")) {
            return null;
        }
        String[] words = text.split("\\s+");
        String command = words[0].toLowerCase(Locale.ROOT);
        boolean admin = access.isAdmin(m.platform(), m.senderId());
        return switch (command) {
            case "/reset" -> words.length == 1 ? reset(groupId, m.senderName())
                    : admin ? resetOther(words[1], m.senderName()) : refused(groupId, m, "/reset of another group");
            case "/status" -> admin ? status() : refused(groupId, m, "/status");
            case "/usage" -> admin ? usageOfAll() : usage(groupId);
            case "/model" -> words.length == 1 ? model(groupId)
                    : admin ? chooseModel(groupId, words[1], m) : refused(groupId, m, "/model <name>");
            case "/tasks" -> tasks == null ? null : tasks(groupId, m, words);
            default -> null; // other slash-words are for the agent
        };
    }

    private String reset(String groupId, String by) {
        if (!folders.resetSession(groupId)) {
            return "I could not start a fresh conversation: my .claw4j folder is not a plain folder any more (a link "
                    + "or a file stands there), and the host never acts through those. Ask me to remove .claw4j, then "
                    + "/reset again.";
        }
        store.sessions().sessionReset(groupId);
        audit(groupId, "session.reset", "by " + by);
        return "Started a fresh conversation. My memory file (AGENT.md) and my files are kept.";
    }

    private String resetOther(String target, String by) {
        try {
            GroupIds.requireValid(target);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (!store.groups().groups().contains(target)) {
            return "There is no group '" + target + "'. /status lists them.";
        }
        reset(target, by + " (admin)");
        return "Group " + target + " starts a fresh conversation.";
    }

    private String status() {
        var groups = store.groups().groups();
        StringBuilder s = new StringBuilder("claw4j: ").append(groups.size()).append(" group(s), ")
                .append(sandboxes.liveCount()).append(" sandbox(es) running, isolation ")
                .append(sandboxes.isolation().describe()).append('\n');
        for (String g : groups.subList(0, Math.min(20, groups.size()))) {
            s.append("- ").append(g).append(sandboxes.hasLive(g) ? " (running)" : "").append('\n');
        }
        if (groups.size() > 20) {
            s.append("… and ").append(groups.size() - 20).append(" more\n");
        }
        return s.toString().strip();
    }

    /** Tokens and cost today and this month against the limits in force. */
    private String usage(String groupId) {
        GroupUsage u = budgets.usage(groupId);
        StringBuilder s = new StringBuilder("Usage of this chat's agent (group ").append(groupId)
                .append("; days and months in ").append(budgets.zoneName()).append("):\n");
        s.append("- today: ").append(budgets.against(u, Limit.DAILY_TOKENS)).append(", ")
                .append(budgets.against(u, Limit.DAILY_COST)).append('\n');
        s.append("- this month: ").append(budgets.against(u, Limit.MONTHLY_TOKENS)).append(", ")
                .append(budgets.against(u, Limit.MONTHLY_COST)).append('\n');
        s.append("Today's use resets ").append(budgets.resets(u, Limit.DAILY_TOKENS)).append(", the month's ")
                .append(budgets.resets(u, Limit.MONTHLY_TOKENS)).append('.');
        return s.toString();
    }

    private String usageOfAll() {
        var groups = store.groups().groups();
        StringBuilder s = new StringBuilder("Usage per group (tokens and cost today / this month):\n");
        for (String g : groups.subList(0, Math.min(20, groups.size()))) {
            GroupUsage u = budgets.usage(g);
            s.append("- ").append(g).append(": ").append(budgets.amount(Limit.DAILY_TOKENS, u.used(Limit.DAILY_TOKENS)))
                    .append(", ").append(budgets.amount(Limit.DAILY_COST, u.costToday())).append(" / ")
                    .append(budgets.amount(Limit.MONTHLY_TOKENS, u.used(Limit.MONTHLY_TOKENS))).append(", ")
                    .append(budgets.amount(Limit.MONTHLY_COST, u.costThisMonth()))
                    .append(u.check() instanceof Check.Exhausted ? " (budget used up)" : "").append('\n');
        }
        if (groups.size() > 20) {
            s.append("… and ").append(groups.size() - 20).append(" more\n");
        }
        return s.toString().strip();
    }

    private String model(String groupId) {
        if (models == null) {
            return "This host has one model for every group.";
        }
        String name = models.nameFor(groupId);
        return "This group talks to " + name + " (" + models.settings(name).orElseThrow().label()
                + "). Admins can pick another with /model <name>: " + String.join(", ", models.names()) + ".";
    }

    private String chooseModel(String groupId, String name, StoredInbound m) {
        if (models == null) {
            return "This host has one model for every group; to offer more, an admin sets model.named in the config.";
        }
        if (models.settings(name).isEmpty()) {
            return "There is no model named '" + name + "'. Pick one of: " + String.join(", ", models.names()) + ".";
        }
        String before = models.nameFor(groupId);
        models.choose(groupId, name, m.platform() + ":" + m.senderId());
        audit(groupId, "model.changed", before + " -> " + name + " (" + models.settings(name).orElseThrow().label()
                + ") by " + m.platform() + ":" + m.senderId());
        return "This group now talks to " + models.nameFor(groupId) + " ("
                + models.settings(models.nameFor(groupId)).orElseThrow().label() + "), from the next message on.";
    }

    /** {@code /tasks}, {@code /tasks pause|resume|cancel ID}: the chat's own group's tasks only. */
    private String tasks(String groupId, StoredInbound m, String[] words) {
        if (words.length == 1) {
            var mine = tasks.list(groupId);
            if (mine.isEmpty()) {
                return "No scheduled tasks in this chat. Ask me to schedule one (\"remind me every day at 9:00 to …\").";
            }
            StringBuilder s = new StringBuilder("Scheduled tasks:\n");
            mine.forEach(t -> s.append("- ").append(t.describe()).append('\n'));
            return s.append("Change one with /tasks pause|resume|cancel <number>.").toString();
        }
        String verb = words[1].toLowerCase(Locale.ROOT);
        long id;
        try {
            id = Long.parseLong(words.length == 3 ? words[2].replaceFirst("^#", "") : "x");
        } catch (NumberFormatException e) {
            return "Use /tasks, or /tasks pause|resume|cancel <number> (the number /tasks shows).";
        }
        Tasks.Change change = switch (verb) {
            case "pause" -> tasks.pause(groupId, id);
            case "resume" -> tasks.resume(groupId, id);
            case "cancel" -> tasks.cancel(groupId, id);
            default -> null;
        };
        if (change == null) {
            return "Use /tasks, or /tasks pause|resume|cancel <number> (the number /tasks shows).";
        }
        return switch (change) {
            case Tasks.Change.Done d -> {
                audit(groupId, "task." + (verb.equals("cancel") ? "cancelled" : verb + "d"), "task #" + id + " by "
                        + m.platform() + ":" + m.senderId());
                yield "Done: " + d.task().describe();
            }
            case Tasks.Change.Refused r -> r.why();
            case Tasks.Change.NotFound n -> {
                if (tasks.store().get(id).isPresent()) {
                    audit(groupId, "task.refused", "/tasks " + verb + " " + id + " by " + m.platform() + ":"
                            + m.senderId() + ": the task belongs to another group");
                }
                yield "This chat has no task #" + id + ". /tasks lists its tasks.";
            }
        };
    }

    private String refused(String groupId, StoredInbound m, String what) {
        audit(groupId, "admin.refused", what + " by " + m.platform() + ":" + m.senderId());
        return "Only admins can use " + what.split(" ")[0] + ".";
    }

    private void audit(String groupId, String kind, String detail) {
        store.audit().record(groupId, kind, detail, sandboxes.isolation().describe());
    }
}
