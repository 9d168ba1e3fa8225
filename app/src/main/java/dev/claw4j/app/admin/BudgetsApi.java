package dev.claw4j.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.budget.Check;
import dev.claw4j.core.budget.GroupUsage;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.sandbox.GroupIds;
import dev.claw4j.core.store.Store;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The budgets part of the admin endpoint: a group's usage and limits, and the run-time override that replaces its
 * configured limits (what the console and an operator's {@code curl} call). Answers are JSON-ready maps.
 */
final class BudgetsApi {
    record Answer(int status, Object body) {}

    private static final String LIMITS = "{\"group\": \"web-team-3f2a1c\", \"dailyTokens\": 2000000, \"monthlyCost\": "
            + "50.00} (any of dailyTokens, monthlyTokens, dailyCost, monthlyCost; one left out is no limit)";

    private final Budgets budgets;
    private final BudgetsAdmin changes;

    /** @param store where overrides set or cleared here are audited; null for nowhere */
    BudgetsApi(Budgets budgets, Store store) {
        this.budgets = budgets;
        this.changes = new BudgetsAdmin(budgets, store, "admin-api");
    }

    Answer show(String group) {
        String wrong = invalid(group);
        return wrong != null ? new Answer(400, Map.of("error", wrong)) : new Answer(200, usage(group));
    }

    /** {@code what}: override or clear. */
    Answer post(String what, JsonNode body) {
        String group = body != null && body.path("group").isTextual() ? body.path("group").asText() : null;
        String wrong = invalid(group);
        if (wrong != null) {
            return new Answer(400, Map.of("error", wrong));
        }
        if (what.equals("clear")) {
            return new Answer(200, Map.of("group", group, "cleared", changes.clear(group)));
        }
        Limits limits;
        try {
            limits = new Limits(whole(body, "dailyTokens"), whole(body, "monthlyTokens"), money(body, "dailyCost"),
                    money(body, "monthlyCost"));
        } catch (IllegalArgumentException e) {
            return new Answer(400, Map.of("error", e.getMessage() + "; send " + LIMITS));
        }
        changes.set(group, limits);
        return new Answer(200, usage(group));
    }

    private Map<String, Object> usage(String group) {
        GroupUsage u = budgets.usage(group);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("group", group);
        out.put("source", u.source().name().toLowerCase(Locale.ROOT));
        out.put("state", switch (u.check()) {
            case Check.Allowed a -> "allowed";
            case Check.Warn w -> "warn";
            case Check.Exhausted e -> "exhausted";
        });
        Map<String, Object> limits = new LinkedHashMap<>();
        limits.put("dailyTokens", u.limits().dailyTokens());
        limits.put("monthlyTokens", u.limits().monthlyTokens());
        limits.put("dailyCost", plain(u.limits().dailyCost()));
        limits.put("monthlyCost", plain(u.limits().monthlyCost()));
        out.put("limits", limits);
        out.put("today", Map.of("tokens", u.tokensToday(), "cost", plain(u.costToday())));
        out.put("thisMonth", Map.of("tokens", u.tokensThisMonth(), "cost", plain(u.costThisMonth())));
        out.put("currency", u.currency());
        out.put("timeZone", budgets.zoneName());
        out.put("dayEnds", u.dayEnds().toString());
        out.put("monthEnds", u.monthEnds().toString());
        return out;
    }

    /** 50 rather than 5E+1 or 50.0000000000 in the JSON. */
    private static BigDecimal plain(BigDecimal value) {
        if (value == null) {
            return null;
        }
        BigDecimal stripped = value.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    private static String invalid(String group) {
        if (group == null || group.isBlank()) {
            return "name the group: ?group=<id> or {\"group\": \"<id>\"} (ids as /status and the console show them)";
        }
        try {
            GroupIds.requireValid(group);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    private static Long whole(JsonNode body, String key) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToLong() || !v.isIntegralNumber()) {
            throw new IllegalArgumentException(key + " must be a whole number of tokens, got " + v);
        }
        return v.asLong();
    }

    private static BigDecimal money(JsonNode body, String key) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException(key + " must be a number, got " + v);
        }
        return v.decimalValue();
    }
}
