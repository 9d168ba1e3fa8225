package dev.claw4j.app.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.claw4j.core.budget.BudgetSettings;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.budget.Limits;
import dev.claw4j.core.budget.Price;
import dev.claw4j.core.store.OnBothDatabases;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.store.TestDatabase;
import dev.claw4j.protocol.Usage;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code /admin/api/budgets} over real HTTP: a group's usage, an override that replaces its limits, clearing it. */
@OnBothDatabases
class AdminBudgetsTest {
    private final TestDatabase database;

    AdminBudgetsTest(TestDatabase database) {
        this.database = database;
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path data;
    private Store store;
    private Budgets budgets;
    private AdminServer server;
    private String token;

    @BeforeEach
    void start() {
        store = database.open();
        budgets = new Budgets(store.dataSource(), new BudgetSettings(new Limits(1000L, null, null, null), Map.of(),
                Map.of("m1", new Price(new BigDecimal("2"), new BigDecimal("10"))), "USD", ZoneId.of("UTC")),
                Clock.systemUTC());
        server = new AdminServer(data, 0, new AccessAdmin(store, "pairing", List.of(), List.of(), "admin-api",
                Clock.systemUTC()), null, budgets, store, null);
        server.start();
        token = AdminToken.of(data).value();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String auth) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .header("Authorization", "Bearer " + auth).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void showsAGroupsUsageAgainstTheLimitsInForce() throws Exception {
        store.usage().recordUsage("g1", "openai/m1", new Usage(1000, 100), 5, "OK",
                budgets.costOf("openai/m1", new Usage(1000, 100)), Instant.now());
        HttpResponse<String> r = get("/admin/api/budgets?group=g1");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("source").asText()).isEqualTo("default");
        assertThat(body.get("state").asText()).isEqualTo("exhausted");
        assertThat(body.at("/limits/dailyTokens").asLong()).isEqualTo(1000);
        assertThat(body.at("/limits/monthlyCost").isNull()).isTrue();
        assertThat(body.at("/today/tokens").asLong()).isEqualTo(1100);
        assertThat(body.at("/today/cost").decimalValue()).isEqualByComparingTo("0.003");
        assertThat(body.get("currency").asText()).isEqualTo("USD");
    }

    @Test
    void anOverrideReplacesTheLimitsUntilItIsCleared() throws Exception {
        HttpResponse<String> set = post("/admin/api/budgets/override",
                "{\"group\": \"g1\", \"dailyTokens\": 5000, \"monthlyCost\": 50}", token);
        assertThat(set.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(set.body());
        assertThat(body.get("source").asText()).isEqualTo("override");
        assertThat(body.at("/limits/dailyTokens").asLong()).isEqualTo(5000);
        assertThat(body.at("/limits/monthlyCost").toString()).isEqualTo("50");
        assertThat(budgets.override("g1")).contains(new Limits(5000L, null, null, new BigDecimal("50")));
        assertThat(store.audit().auditByKind("budget.override")).singleElement().satisfies(e -> assertThat(e.detail())
                .contains("set by admin-api").contains("5,000 tokens a day").contains("50.00 USD a month")
                .contains("was 1,000 tokens a day from the default"));

        HttpResponse<String> cleared = post("/admin/api/budgets/clear", "{\"group\": \"g1\"}", token);
        assertThat(JSON.readTree(cleared.body()).get("cleared").asBoolean()).isTrue();
        assertThat(budgets.override("g1")).isEmpty();
        assertThat(JSON.readTree(post("/admin/api/budgets/clear", "{\"group\": \"g1\"}", token).body())
                .get("cleared").asBoolean()).isFalse();
        assertThat(store.audit().auditByKind("budget.override.cleared")).as("only the clear that cleared something")
                .singleElement().satisfies(e -> assertThat(e.detail()).contains("by admin-api"));
    }

    @Test
    void badRequestsSayWhatToSendAndChangeNothing() throws Exception {
        HttpResponse<String> zero = post("/admin/api/budgets/override", "{\"group\": \"g1\", \"dailyTokens\": 0}", token);
        assertThat(zero.statusCode()).isEqualTo(400);
        assertThat(zero.body()).contains("dailyTokens must be more than 0").contains("monthlyCost");
        assertThat(post("/admin/api/budgets/override", "{\"group\": \"g1\", \"dailyTokens\": 1.5}", token)
                .statusCode()).isEqualTo(400);
        assertThat(post("/admin/api/budgets/override", "{\"group\": \"../etc\", \"dailyTokens\": 5}", token)
                .statusCode()).isEqualTo(400);
        assertThat(get("/admin/api/budgets").statusCode()).isEqualTo(400);
        assertThat(budgets.override("g1")).isEmpty();

        // the endpoint's own rules hold here too: a wrong token changes nothing
        HttpResponse<String> forged = post("/admin/api/budgets/override", "{\"group\": \"g1\", \"dailyTokens\": 9}",
                "not-the-token");
        assertThat(forged.statusCode()).isEqualTo(401);
        assertThat(budgets.override("g1")).isEmpty();
        assertThat(store.audit().auditByKind("budget.override")).as("nothing audited: nothing changed").isEmpty();
    }
}
