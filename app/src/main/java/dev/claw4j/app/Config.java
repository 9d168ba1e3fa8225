package dev.claw4j.app;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.budget.BudgetSettings;
import dev.claw4j.core.budget.Price;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.core.cluster.ClusterSettings;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.ratelimit.RateLimiter;
import dev.claw4j.core.routing.BindingPolicy;
import dev.claw4j.core.sandbox.SandboxLimits;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * claw4j.yaml, as far as this version reads it. Every key is documented in config/claw4j.yaml;
 * {@link ConfigLoader} refuses unknown keys and bad values, naming the key. Records that hold a token, key or
 * secret print it masked (a record's own toString would print it into any log line or error that shows it).
 */
public record Config(Path dataDir, String botName, Model model, Binding binding, Access access, Sandbox sandbox,
                     Map<String, List<Mount>> mounts, Connectors connectors, Admin admin, Budgets budgets,
                     Limits limits, WebFetch webFetch, Tasks tasks, Mcp mcp, Database store, Cluster cluster) {
    public Config(Path dataDir, String botName, Model model, Binding binding, Access access, Sandbox sandbox,
                  Map<String, List<Mount>> mounts, Connectors connectors, Admin admin, Budgets budgets,
                  Limits limits, WebFetch webFetch, Tasks tasks, Mcp mcp, Database store) {
        this(dataDir, botName, model, binding, access, sandbox, mounts, connectors, admin, budgets, limits, webFetch,
                tasks, mcp, store, null);
    }

    public Config(Path dataDir, String botName, Model model, Binding binding, Access access, Sandbox sandbox,
                  Map<String, List<Mount>> mounts, Connectors connectors, Admin admin, Budgets budgets,
                  Limits limits, WebFetch webFetch, Tasks tasks, Mcp mcp) {
        this(dataDir, botName, model, binding, access, sandbox, mounts, connectors, admin, budgets, limits, webFetch,
                tasks, mcp, null);
    }

    public Config(Path dataDir, String botName, Model model, Binding binding, Access access, Sandbox sandbox,
                  Map<String, List<Mount>> mounts, Connectors connectors, Admin admin, Budgets budgets,
                  Limits limits, WebFetch webFetch, Tasks tasks) {
        this(dataDir, botName, model, binding, access, sandbox, mounts, connectors, admin, budgets, limits, webFetch,
                tasks, null);
    }

    public Config(Path dataDir, String botName, Model model, Binding binding, Access access, Sandbox sandbox,
                  Map<String, List<Mount>> mounts, Connectors connectors) {
        this(dataDir, botName, model, binding, access, sandbox, mounts, connectors, null, null, null, null, null);
    }

    public Config(Path dataDir, String botName, Model model, Binding binding, Access access, Sandbox sandbox,
                  Map<String, List<Mount>> mounts, Connectors connectors, Admin admin, Budgets budgets,
                  Limits limits, WebFetch webFetch) {
        this(dataDir, botName, model, binding, access, sandbox, mounts, connectors, admin, budgets, limits, webFetch,
                null);
    }

    public Config {
        budgets = budgets == null ? new Budgets(null, null, null) : budgets;
        limits = limits == null ? new Limits(null, null) : limits;
        admin = admin == null ? new Admin(null, null, null) : admin;
        webFetch = webFetch == null ? new WebFetch(null, null, null, null, null) : webFetch;
        tasks = tasks == null ? new Tasks(null, null) : tasks;
        mcp = mcp == null ? new Mcp(null, null) : mcp;
        store = store == null ? new Database(null, null, null, null) : store;
        cluster = cluster == null ? new Cluster(null, null) : cluster;
        mounts = mounts == null ? Map.of() : mounts;
        access = access == null ? new Access(null, null, null, null, null) : access;
        dataDir = dataDir == null ? Path.of("data") : dataDir;
        botName = botName == null ? "claw" : botName;
        model = model == null ? new Model(null, null, null, null, null, null, null, null) : model;
        binding = binding == null ? new Binding(null) : binding;
        sandbox = sandbox == null ? new Sandbox(null, null, null, null, null, null, null, null, null, null, null, null)
                : sandbox;
        connectors = connectors == null ? new Connectors(null) : connectors;
    }

    public static Config defaults() {
        return new Config(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
    }

    public Config withAdmin(Admin a) {
        return new Config(dataDir, botName, model, binding, access, sandbox, mounts, connectors,
                a, budgets, limits, webFetch, tasks, mcp, store, cluster);
    }

    public Config withWebFetch(WebFetch w) {
        return new Config(dataDir, botName, model, binding, access, sandbox, mounts, connectors,
                admin, budgets, limits, w, tasks, mcp, store, cluster);
    }

    /**
     * The {@code webFetch:} section: which hosts an agent may have the host fetch ({@code allow} for every group,
     * {@code groups.<id>.allow} for one), and the caps. {@code allowPrivateAddresses} lets the named addresses past
     * the private-address guard: for tests and odd intranets only; start-up warns loudly when it is set.
     */
    public record WebFetch(List<String> allow, Map<String, GroupWebFetch> groups, String maxBytes, String timeout,
                           List<String> allowPrivateAddresses) {
        public WebFetch {
            allow = allow == null ? List.of() : allow;
            groups = groups == null ? Map.of() : groups;
            maxBytes = maxBytes == null ? "2m" : maxBytes;
            timeout = timeout == null ? "20s" : timeout;
            allowPrivateAddresses = allowPrivateAddresses == null ? List.of() : allowPrivateAddresses;
        }

        public dev.claw4j.core.web.WebFetchPolicy policy() {
            Map<String, List<String>> perGroup = new java.util.HashMap<>();
            groups.forEach((group, g) -> perGroup.put(group, g == null ? List.of() : g.allow()));
            Set<java.net.InetAddress> privateOk = new java.util.HashSet<>();
            for (String a : allowPrivateAddresses) {
                if (a == null || !a.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
                    throw new ConfigException("webFetch.allowPrivateAddresses: '" + a + "' is not an IP address; "
                            + "write addresses like 127.0.0.1 or ::1 (names are not accepted)");
                }
                try {
                    privateOk.add(java.net.InetAddress.getByName(a));
                } catch (java.net.UnknownHostException e) {
                    throw new ConfigException("webFetch.allowPrivateAddresses: '" + a + "' is not an IP address");
                }
            }
            return new dev.claw4j.core.web.WebFetchPolicy(allow, perGroup, Units.bytes("webFetch.maxBytes", maxBytes),
                    Units.duration("webFetch.timeout", timeout), privateOk);
        }
    }

    public Config withStore(Database d) {
        return new Config(dataDir, botName, model, binding, access, sandbox, mounts, connectors,
                admin, budgets, limits, webFetch, tasks, mcp, d, cluster);
    }

    /**
     * The {@code store:} section: where the host keeps what it must not forget. {@code kind: h2} (the default) is a
     * file under {@code dataDir}, nothing to install; {@code kind: postgres} is a PostgreSQL server at {@code url}
     * ({@code jdbc:postgresql://host:5432/db}) as {@code user}, with {@code password} best given as
     * {@code ${SOME_ENV_VAR}}. The password is never printed.
     */
    public record Database(String kind, String url, String user, String password) {
        public Database {
            kind = kind == null || kind.isBlank() ? "h2" : kind.strip().toLowerCase(java.util.Locale.ROOT);
        }

        /** Where the store is, for a host whose data directory is {@code dataDir}. */
        public dev.claw4j.core.store.StoreLocation location(Path dataDir) {
            switch (kind) {
                case "h2" -> {
                    if (url != null || user != null || password != null) {
                        throw new ConfigException("store.url, store.user and store.password are for kind postgres; "
                                + "H2 keeps its file in dataDir: remove them, or set store.kind: postgres");
                    }
                    return new dev.claw4j.core.store.StoreLocation.H2File(dataDir);
                }
                case "postgres", "postgresql" -> {
                    try {
                        return new dev.claw4j.core.store.StoreLocation.Postgres(url, user, password);
                    } catch (IllegalArgumentException e) {
                        throw new ConfigException(e.getMessage());
                    }
                }
                default -> throw new ConfigException("store.kind must be h2 (the default: a file in dataDir) or "
                        + "postgres, got '" + kind + "'");
            }
        }

        @Override
        public String toString() {
            // the URL's query may carry driver options with secrets in them: it is not printed
            String printableUrl = url == null ? null : url.replaceAll("\\?.*", "?…");
            return "Database[kind=" + kind + ", url=" + printableUrl + ", user=" + user + ", password="
                    + Secrets.mask(password) + "]";
        }
    }

    public Config withMcp(Mcp m) {
        return new Config(dataDir, botName, model, binding, access, sandbox, mounts, connectors,
                admin, budgets, limits, webFetch, tasks, m, store, cluster);
    }

    /**
     * The {@code mcp:} section: stdio MCP servers each group's agent starts inside its sandbox. {@code default}
     * is for every group without an entry of its own under {@code groups.<id>} (an empty list there turns them
     * off for that group). A server runs behind the sandbox's walls, so its command must exist in the agent
     * image or the group folder, and its {@code env} must hold no secrets ({@link ConfigLoader} refuses
     * {@code ${...}} there).
     */
    public record Mcp(@com.fasterxml.jackson.annotation.JsonProperty("default") List<McpServerEntry> defaults,
                      Map<String, List<McpServerEntry>> groups) {
        public Mcp {
            defaults = defaults == null ? List.of() : defaults;
            groups = groups == null ? Map.of() : groups;
        }

        public dev.claw4j.core.turn.McpSettings settings() {
            Map<String, List<dev.claw4j.protocol.McpServer>> perGroup = new java.util.HashMap<>();
            groups.forEach((group, list) -> perGroup.put(group, servers("mcp.groups." + group, list)));
            return new dev.claw4j.core.turn.McpSettings(servers("mcp.default", defaults), perGroup);
        }

        private static List<dev.claw4j.protocol.McpServer> servers(String key, List<McpServerEntry> list) {
            List<dev.claw4j.protocol.McpServer> servers = new java.util.ArrayList<>();
            Set<String> names = new java.util.HashSet<>();
            for (int i = 0; list != null && i < list.size(); i++) {
                McpServerEntry e = list.get(i);
                String at = key + "[" + i + "]";
                if (e == null || e.name() == null || !e.name().matches("[A-Za-z0-9_-]{1,32}")) {
                    throw new ConfigException(at + ".name must be 1-32 letters, digits, _ or - (its tools are offered"
                            + " as mcp__<name>__<tool>)");
                }
                if (!names.add(e.name())) {
                    throw new ConfigException(at + ": the name '" + e.name() + "' is used twice in " + key);
                }
                if (e.command() == null || e.command().isEmpty() || e.command().getFirst() == null
                        || e.command().getFirst().isBlank()) {
                    throw new ConfigException(at + ".command is missing: give the program and its arguments as a"
                            + " list, e.g. command: [node, /workspace/group/server.js]");
                }
                servers.add(new dev.claw4j.protocol.McpServer(e.name(), e.command(), e.env()));
            }
            return List.copyOf(servers);
        }
    }

    /** One stdio MCP server: {@code name}, {@code command} (argv, run inside the sandbox) and {@code env}. */
    public record McpServerEntry(String name, List<String> command, Map<String, String> env) {}

    /** One group's own {@code webFetch.groups.<id>} entry. */
    public record GroupWebFetch(List<String> allow) {
        public GroupWebFetch {
            allow = allow == null ? List.of() : allow;
        }
    }

    /**
     * The {@code admin:} section: the operator's console (README, Console), a web UI on its own listener,
     * loopback by default. {@code uiPort} 0 takes a free port (tests).
     */
    public record Admin(Boolean console, String bind, Integer uiPort) {
        public Admin {
            console = console == null || console;
            bind = bind == null ? "127.0.0.1" : bind;
            uiPort = uiPort == null ? 8081 : uiPort;
        }
    }

    public Config withCluster(Cluster c) {
        return new Config(dataDir, botName, model, binding, access, sandbox, mounts, connectors,
                admin, budgets, limits, webFetch, tasks, mcp, store, c);
    }

    public Config withDataDir(Path dir) {
        return new Config(dir, botName, model, binding, access, sandbox, mounts, connectors,
                admin, budgets, limits, webFetch, tasks, mcp, store, cluster);
    }

    public Config withModel(Model m) {
        return new Config(dataDir, botName, m, binding, access, sandbox, mounts, connectors,
                admin, budgets, limits, webFetch, tasks, mcp, store, cluster);
    }

    public Config withConnectors(Connectors c) {
        return new Config(dataDir, botName, model, binding, access, sandbox, mounts, c,
                admin, budgets, limits, webFetch, tasks, mcp, store, cluster);
    }

    public Config withBinding(Binding b) {
        return new Config(dataDir, botName, model, b, access, sandbox, mounts, connectors,
                admin, budgets, limits, webFetch, tasks, mcp, store, cluster);
    }

    public Config withSandbox(Sandbox s) {
        return new Config(dataDir, botName, model, binding, access, s, mounts, connectors,
                admin, budgets, limits, webFetch, tasks, mcp, store, cluster);
    }

    public Config withBudgets(Budgets b) {
        return new Config(dataDir, botName, model, binding, access, sandbox, mounts, connectors,
                admin, b, limits, webFetch, tasks, mcp, store, cluster);
    }

    public Config withLimits(Limits l) {
        return new Config(dataDir, botName, model, binding, access, sandbox, mounts, connectors,
                admin, budgets, l, webFetch, tasks, mcp, store, cluster);
    }

    /**
     * The budgets in force: {@code budgets:} with the model's prices and currency; the deprecated
     * {@code model.dailyTokenBudget} stands for {@code budgets.default.dailyTokens} when that is not set.
     */
    public BudgetSettings budgetSettings() {
        BudgetLimits defaults = budgets.defaults();
        if (model.dailyTokenBudget() > 0) {
            if (defaults.dailyTokens() != null && !defaults.dailyTokens().equals(model.dailyTokenBudget())) {
                throw new IllegalArgumentException("model.dailyTokenBudget (" + model.dailyTokenBudget()
                        + ") and budgets.default.dailyTokens (" + defaults.dailyTokens() + ") differ; "
                        + "model.dailyTokenBudget is deprecated: remove it and keep budgets.default.dailyTokens");
            }
            defaults = new BudgetLimits(model.dailyTokenBudget(), defaults.monthlyTokens(), defaults.dailyCost(),
                    defaults.monthlyCost());
        }
        Map<String, dev.claw4j.core.budget.Limits> groups = new java.util.LinkedHashMap<>();
        budgets.groups().forEach((group, limits) -> groups.put(group, limits.limits("budgets.groups." + group)));
        Map<String, Price> prices = new java.util.LinkedHashMap<>();
        model.prices().forEach((name, price) -> prices.put(name, price.price("model.prices." + name)));
        java.time.ZoneId zone;
        try {
            zone = java.time.ZoneId.of(budgets.timeZone());
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("budgets.timeZone '" + budgets.timeZone() + "' is not a time zone; "
                    + "write an IANA name like UTC or Europe/Berlin");
        }
        if (!model.currency().matches("\\S{1,12}")) {
            throw new IllegalArgumentException("model.currency '" + model.currency() + "' must be one word of at "
                    + "most 12 characters, like USD or EUR");
        }
        return new BudgetSettings(defaults.limits("budgets.default"), groups, prices, model.currency(), zone);
    }

    /** The {@code model:} section: which model answers, with which key, and what its tokens cost. */
    /**
     * The default model, plus optionally a {@code fallback} model (tried when the group's model keeps failing
     * with 5xx), {@code named} models an admin may pick for a group with {@code /model <name>}, and
     * {@code groups}: a group id to the named model it uses from start-up.
     */
    public record Model(String provider, String name, String apiKey, String baseUrl, Integer maxTokens,
                        String timeout, Integer maxRetries, Long dailyTokenBudget, Map<String, ModelPrice> prices,
                        String currency, OtherModel fallback, Map<String, OtherModel> named,
                        Map<String, String> groups, Boolean images) {
        public Model(String provider, String name, String apiKey, String baseUrl, Integer maxTokens, String timeout,
                     Integer maxRetries, Long dailyTokenBudget, Map<String, ModelPrice> prices, String currency,
                     OtherModel fallback, Map<String, OtherModel> named, Map<String, String> groups) {
            this(provider, name, apiKey, baseUrl, maxTokens, timeout, maxRetries, dailyTokenBudget, prices, currency,
                    fallback, named, groups, null);
        }

        public Model(String provider, String name, String apiKey, String baseUrl, Integer maxTokens, String timeout,
                     Integer maxRetries, Long dailyTokenBudget) {
            this(provider, name, apiKey, baseUrl, maxTokens, timeout, maxRetries, dailyTokenBudget, null, null);
        }

        public Model(String provider, String name, String apiKey, String baseUrl, Integer maxTokens, String timeout,
                     Integer maxRetries, Long dailyTokenBudget, Map<String, ModelPrice> prices, String currency) {
            this(provider, name, apiKey, baseUrl, maxTokens, timeout, maxRetries, dailyTokenBudget, prices, currency,
                    null, null, null);
        }

        public Model {
            prices = prices == null ? Map.of() : prices;
            currency = currency == null || currency.isBlank() ? "USD" : currency;
            dailyTokenBudget = dailyTokenBudget == null ? 0L : dailyTokenBudget;
            provider = provider == null ? "anthropic" : provider;
            name = name == null ? "claude-sonnet-4-5" : name;
            named = named == null ? Map.of() : Map.copyOf(named);
            groups = groups == null ? Map.of() : Map.copyOf(groups);
            images = Boolean.TRUE.equals(images);
        }

        public ModelSettings settings() {
            return ModelSettings.of(provider, name, apiKey, baseUrl, maxTokens,
                    timeout == null ? null : Units.duration("model.timeout", timeout), maxRetries).withImages(images);
        }

        /** model.fallback's settings, or null when there is none. */
        public ModelSettings fallbackSettings() {
            return fallback == null ? null : fallback.settings(this, "model.fallback");
        }

        /** model.named, each built into settings (so a bad one fails at start-up, naming its key). */
        public Map<String, ModelSettings> namedSettings() {
            Map<String, ModelSettings> out = new java.util.TreeMap<>();
            named.forEach((n, m) -> {
                if (!n.matches("[A-Za-z0-9_.-]{1,40}")) {
                    throw new IllegalArgumentException("model.named '" + n
                            + "' must be 1-40 letters, digits, '_', '.' or '-' (it is typed after /model)");
                }
                out.put(n, m.settings(this, "model.named." + n));
            });
            return out;
        }

        /** model.groups checked against model.named: a group id to the name of its model. */
        public Map<String, String> groupModels() {
            Map<String, ModelSettings> named = namedSettings();
            groups.forEach((group, n) -> {
                if (n == null || !named.containsKey(n)) {
                    throw new IllegalArgumentException("model.groups." + group + " is '" + n
                            + "', which is not in model.named; name one of " + named.keySet());
                }
            });
            return groups;
        }

        @Override
        public String toString() {
            return "Model[provider=" + provider + ", name=" + name + ", apiKey=" + Secrets.mask(apiKey) + ", baseUrl="
                    + Secrets.url(baseUrl) + ", maxTokens=" + maxTokens + ", timeout=" + timeout + ", maxRetries="
                    + maxRetries + ", dailyTokenBudget=" + dailyTokenBudget + ", prices=" + prices + ", currency="
                    + currency + ", fallback=" + fallback + ", named=" + named + ", groups=" + groups + ", images=" + images
                    + "]";
        }
    }

    /**
     * A model besides the default (the fallback, or a named one). What it leaves out comes from the default
     * model: the provider always, the key and base URL only when the provider is the same (a Gemini model
     * must not be sent the Anthropic key). {@code images} is never inherited: another model may not take them.
     */
    public record OtherModel(String provider, String name, String apiKey, String baseUrl, Integer maxTokens,
                             String timeout, Integer maxRetries, Boolean images) {
        public OtherModel(String provider, String name, String apiKey, String baseUrl, Integer maxTokens,
                          String timeout, Integer maxRetries) {
            this(provider, name, apiKey, baseUrl, maxTokens, timeout, maxRetries, null);
        }

        ModelSettings settings(Model defaults, String key) {
            String p = provider == null || provider.isBlank() ? defaults.provider() : provider;
            boolean sameProvider = p.trim().equalsIgnoreCase(defaults.provider().trim());
            try {
                return ModelSettings.of(p, name,
                        apiKey != null ? apiKey : sameProvider ? defaults.apiKey() : null,
                        baseUrl != null ? baseUrl : sameProvider ? defaults.baseUrl() : null,
                        maxTokens != null ? maxTokens : defaults.maxTokens(),
                        Units.duration(key + ".timeout", timeout != null ? timeout
                                : defaults.timeout() != null ? defaults.timeout() : "120s"),
                        maxRetries != null ? maxRetries : defaults.maxRetries()).withImages(Boolean.TRUE.equals(images));
            } catch (IllegalArgumentException e) {
                // ModelSettings names model.*; say which entry it was
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }

        @Override
        public String toString() {
            return "OtherModel[provider=" + provider + ", name=" + name + ", apiKey=" + Secrets.mask(apiKey)
                    + ", baseUrl=" + Secrets.url(baseUrl) + ", maxTokens=" + maxTokens + ", timeout=" + timeout
                    + ", maxRetries=" + maxRetries + ", images=" + images + "]";
        }
    }

    /** A model's price per million input and output tokens, in {@code model.currency}. */
    public record ModelPrice(BigDecimal inputPerMillion, BigDecimal outputPerMillion) {
        Price price(String key) {
            try {
                return new Price(inputPerMillion, outputPerMillion);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }
    }

    /**
     * The {@code budgets:} section: the default limits, whole sets of limits for named groups (a group's set replaces
     * the default; what it leaves out is no limit), and the zone whose midnights end the days and months.
     */
    public record Budgets(@JsonProperty("default") BudgetLimits defaults, Map<String, BudgetLimits> groups,
                          String timeZone) {
        public Budgets {
            defaults = defaults == null ? new BudgetLimits(null, null, null, null) : defaults;
            groups = groups == null ? Map.of() : groups;
            timeZone = timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
        }
    }

    /** One set of budget limits; a limit left out is no limit. Money in {@code model.currency}. */
    public record BudgetLimits(Long dailyTokens, Long monthlyTokens, BigDecimal dailyCost, BigDecimal monthlyCost) {
        dev.claw4j.core.budget.Limits limits(String key) {
            try {
                return new dev.claw4j.core.budget.Limits(dailyTokens, monthlyTokens, dailyCost, monthlyCost);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(key + ": " + e.getMessage());
            }
        }
    }

    /**
     * The {@code cluster:} section: how long a host's lease on a group lasts without renewal, and how often it renews
     * it. Only matters when several hosts share one PostgreSQL: a dead host's groups are taken over after at most
     * {@code leaseSeconds}.
     */
    /**
     * The {@code cluster:} section. {@code folders} is the group folders root (groups, global, files) when it is not
     * the data directory: hosts sharing a database must all see the same folders there (shared storage).
     */
    public record Cluster(Integer leaseSeconds, Integer renewSeconds, String folders) {
        public Cluster {
            leaseSeconds = leaseSeconds == null ? 15 : leaseSeconds;
            renewSeconds = renewSeconds == null ? 5 : renewSeconds;
        }

        public Cluster(Integer leaseSeconds, Integer renewSeconds) {
            this(leaseSeconds, renewSeconds, null);
        }

        /** Where the group folders live for a host whose data directory is {@code dataDir}. */
        public java.nio.file.Path foldersRoot(java.nio.file.Path dataDir) {
            return folders == null || folders.isBlank() ? dataDir : dataDir.resolve(folders).normalize();
        }

        public ClusterSettings settings() {
            try {
                return new ClusterSettings(java.time.Duration.ofSeconds(leaseSeconds),
                        java.time.Duration.ofSeconds(renewSeconds));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(e.getMessage());
            }
        }
    }

    /** The {@code limits:} section: messages per minute per person and per agent group; 0 is no limit. */
    public record Limits(Integer perPersonPerMinute, Integer perGroupPerMinute) {
        public Limits {
            perPersonPerMinute = perPersonPerMinute == null ? 0 : perPersonPerMinute;
            perGroupPerMinute = perGroupPerMinute == null ? 0 : perGroupPerMinute;
        }

        public RateLimiter.Settings settings() {
            return new RateLimiter.Settings(perPersonPerMinute, perGroupPerMinute);
        }
    }

    public Config withMounts(Map<String, List<Mount>> m) {
        return new Config(dataDir, botName, model, binding, access, sandbox, m, connectors,
                admin, budgets, limits, webFetch, tasks, mcp, store, cluster);
    }

    /** An extra folder a group asks for, mounted at /workspace/extra/<name> if the mount allowlist allows it. */
    public record Mount(String path, String name, Boolean readOnly) {
        public Mount {
            readOnly = readOnly == null || readOnly;
        }
    }

    public Config withAccess(Access a) {
        return new Config(dataDir, botName, model, binding, a, sandbox, mounts, connectors,
                admin, budgets, limits, webFetch, tasks, mcp, store, cluster);
    }

    /**
     * The {@code access:} section. People and chats are written {@code platform:id}. {@code groups} left out of
     * the YAML is {@code approval}: a group chat nobody listed needs an admin's approval.
     */
    public record Access(String dm, String groups, List<String> allowedChats, List<String> allowedUsers,
                         List<String> admins) {
        /**
         * Without {@code groups}, as Java callers wrote it before the key existed (the e2e hosts, the bench):
         * group chats behave as they did then, {@code open} (any group, with a mention), or {@code allowlist}
         * when {@code allowedChats} lists chats. Read from YAML, a missing key is {@code approval} (the canonical
         * constructor), so no operator gets the old, open default.
         */
        public Access(String dm, List<String> allowedChats, List<String> allowedUsers, List<String> admins) {
            this(dm, allowedChats == null || allowedChats.isEmpty() ? "open" : "allowlist", allowedChats,
                    allowedUsers, admins);
        }

        public Access {
            dm = dm == null ? "pairing" : dm;
            groups = groups == null ? "approval" : groups;
            allowedChats = allowedChats == null ? List.of() : allowedChats;
            allowedUsers = allowedUsers == null ? List.of() : allowedUsers;
            admins = admins == null ? List.of() : admins;
        }

        public AccessPolicy policy() {
            for (var list : List.of(allowedChats, allowedUsers, admins)) {
                for (String entry : list) {
                    if (!entry.matches("[a-z]+:.+")) {
                        throw new IllegalArgumentException("access: '" + entry + "' must be written platform:id, "
                                + "for example telegram:123456 or web:ana");
                    }
                }
            }
            AccessPolicy.GroupPolicy groupPolicy = AccessPolicy.GroupPolicy.parse(groups);
            if (groupPolicy == AccessPolicy.GroupPolicy.OPEN && !allowedChats.isEmpty()) {
                throw new IllegalArgumentException("access.groups is open (any group chat) but access.allowedChats "
                        + "lists " + allowedChats + "; set groups: allowlist to answer only in those chats, or "
                        + "approval to also let an admin approve others, or empty the list");
            }
            return new AccessPolicy(AccessPolicy.DmPolicy.parse(dm), groupPolicy,
                    Set.copyOf(allowedChats), Set.copyOf(allowedUsers), Set.copyOf(admins));
        }
    }

    /** The {@code binding:} section. */
    public record Binding(@JsonProperty("default") String defaultPolicy) {
        public Binding {
            defaultPolicy = defaultPolicy == null ? "per-chat" : defaultPolicy;
        }

        public BindingPolicy policy() {
            return BindingPolicy.parse("binding.default", defaultPolicy);
        }
    }

    /** The {@code sandbox:} section. Sizes like {@code 512m}, durations like {@code 10m}. */
    public record Sandbox(String runtime, Boolean requireSecondWall, String image, String memory, Double cpus,
                          Long pids, String tmpSize, String turnTimeout, String idleTimeout, Integer maxSandboxes,
                          String folderQuota, String mountAllowlist, Kubernetes kubernetes, String evictionGrace,
                          String maxHold) {
        /** {@code runtime: kubernetes}: sandboxes are agent-sandbox claims on a cluster instead of Docker containers. */
        public static final String KUBERNETES = "kubernetes";

        public Sandbox(String runtime, Boolean requireSecondWall, String image, String memory, Double cpus, Long pids,
                       String tmpSize, String turnTimeout, String idleTimeout, Integer maxSandboxes) {
            this(runtime, requireSecondWall, image, memory, cpus, pids, tmpSize, turnTimeout, idleTimeout, maxSandboxes,
                    null, null);
        }

        public Sandbox(String runtime, Boolean requireSecondWall, String image, String memory, Double cpus, Long pids,
                       String tmpSize, String turnTimeout, String idleTimeout, Integer maxSandboxes,
                       String folderQuota, String mountAllowlist) {
            this(runtime, requireSecondWall, image, memory, cpus, pids, tmpSize, turnTimeout, idleTimeout, maxSandboxes,
                    folderQuota, mountAllowlist, null);
        }

        public Sandbox(String runtime, Boolean requireSecondWall, String image, String memory, Double cpus, Long pids,
                       String tmpSize, String turnTimeout, String idleTimeout, Integer maxSandboxes,
                       String folderQuota, String mountAllowlist, Kubernetes kubernetes) {
            this(runtime, requireSecondWall, image, memory, cpus, pids, tmpSize, turnTimeout, idleTimeout, maxSandboxes,
                    folderQuota, mountAllowlist, kubernetes, null, null);
        }

        public boolean onKubernetes() {
            return KUBERNETES.equals(runtime);
        }

        public Sandbox {
            folderQuota = folderQuota == null ? "1g" : folderQuota;
            runtime = runtime == null ? "auto" : runtime;
            requireSecondWall = requireSecondWall != null && requireSecondWall;
            memory = memory == null ? "512m" : memory;
            cpus = cpus == null ? 1.0 : cpus;
            pids = pids == null ? 256L : pids;
            tmpSize = tmpSize == null ? "64m" : tmpSize;
            turnTimeout = turnTimeout == null ? "10m" : turnTimeout;
            idleTimeout = idleTimeout == null ? "10m" : idleTimeout;
            maxSandboxes = maxSandboxes == null ? 8 : maxSandboxes;
            kubernetes = kubernetes == null ? new Kubernetes(null, null, null, null, null, null, null) : kubernetes;
            evictionGrace = evictionGrace == null ? "2s" : evictionGrace;
            maxHold = maxHold == null ? "30s" : maxHold;
        }

        /** Who gives up a sandbox slot when a group waits (GroupQueue's rule; 0 s grace is the old rule). */
        public GroupQueue.Eviction eviction() {
            Duration grace = Units.duration("sandbox.evictionGrace", evictionGrace);
            Duration hold = Units.duration("sandbox.maxHold", maxHold);
            if (grace.isPositive() && hold.compareTo(grace) < 0) {
                throw new ConfigException("sandbox.maxHold (" + maxHold + ") is shorter than sandbox.evictionGrace ("
                        + evictionGrace + "); make maxHold at least the grace, or set evictionGrace: 0s for no grace");
            }
            return new GroupQueue.Eviction(grace, hold);
        }

        public Sandbox withEviction(String grace, String hold) {
            return new Sandbox(runtime, requireSecondWall, image, memory, cpus, pids, tmpSize, turnTimeout,
                    idleTimeout, maxSandboxes, folderQuota, mountAllowlist, kubernetes, grace, hold);
        }

        public SandboxLimits limits() {
            long tmp = Units.bytes("sandbox.tmpSize", tmpSize);
            return new SandboxLimits(Units.bytes("sandbox.memory", memory), cpus, pids, tmp, tmp,
                    Units.duration("sandbox.turnTimeout", turnTimeout));
        }

        /** The mount allowlist file: outside the project, never mounted. */
        public Path mountAllowlistFile() {
            return mountAllowlist == null || mountAllowlist.isBlank() ? dev.claw4j.sandbox.MountAllowlist.defaultFile()
                    : Path.of(mountAllowlist.replaceFirst("^~", System.getProperty("user.home")));
        }

        public long folderQuotaBytes() {
            return Units.bytes("sandbox.folderQuota", folderQuota);
        }

        public Duration idle() {
            return Units.duration("sandbox.idleTimeout", idleTimeout);
        }

        public Sandbox withMaxSandboxes(int n) {
            return new Sandbox(runtime, requireSecondWall, image, memory, cpus, pids, tmpSize, turnTimeout,
                    idleTimeout, n, folderQuota, mountAllowlist, kubernetes, evictionGrace, maxHold);
        }
    }

    /**
     * The {@code sandbox.kubernetes:} section, read with {@code runtime: kubernetes}: the namespace of the install's
     * objects, the RuntimeClass of its pods, the name of its SandboxTemplate, how many sandboxes wait warm, how long a
     * claim may take to get Ready, and the size and StorageClass of each group's volume claim.
     */
    public record Kubernetes(String namespace, String runtimeClass, String template, Integer warmPool,
                             Integer readyTimeoutSeconds, String folderSize, String storageClass) {
        public Kubernetes {
            namespace = namespace == null ? "claw4j" : namespace;
            runtimeClass = runtimeClass == null ? "gvisor" : runtimeClass;
            template = template == null ? "claw4j-agent" : template;
            warmPool = warmPool == null ? 0 : warmPool;
            readyTimeoutSeconds = readyTimeoutSeconds == null ? 120 : readyTimeoutSeconds;
            folderSize = folderSize == null ? "1Gi" : folderSize;
        }
    }

    /** The {@code tasks:} section: the rules of scheduled tasks. */
    public record Tasks(String minIntervalWithoutCheck, Integer pauseAfterFailures) {
        public Tasks {
            minIntervalWithoutCheck = minIntervalWithoutCheck == null ? "5m" : minIntervalWithoutCheck;
            pauseAfterFailures = pauseAfterFailures == null ? 8 : pauseAfterFailures;
        }

        public dev.claw4j.core.task.Tasks.Settings settings() {
            if (pauseAfterFailures < 1) {
                throw new ConfigException("tasks.pauseAfterFailures is " + pauseAfterFailures + "; it must be at least 1");
            }
            var d = dev.claw4j.core.task.Tasks.Settings.DEFAULTS;
            return new dev.claw4j.core.task.Tasks.Settings(
                    Units.duration("tasks.minIntervalWithoutCheck", minIntervalWithoutCheck), pauseAfterFailures,
                    d.firstBackoff(), d.maxBackoff(), d.catchUpGrace());
        }
    }

    /** The {@code connectors:} section. A connector without its token is not started. */
    public record Connectors(Web web, Telegram telegram, Slack slack, Discord discord) {
        public Connectors(Web web) {
            this(web, null, null, null);
        }

        public Connectors {
            web = web == null ? new Web(null, null, null) : web;
            telegram = telegram == null ? new Telegram(null, null, null, null, null, null, null, null, null) : telegram;
            slack = slack == null ? new Slack(null, null, null, null, null, null, null, null) : slack;
            discord = discord == null ? new Discord(null, null, null, null, null) : discord;
        }
    }

    /** Telegram (see connectors/telegram/README.md). */
    public record Telegram(String token, String apiUrl, String mode, String webhookUrl, String webhookSecret,
                           String webhookBind, Integer webhookPort, String webhookPath, String pollTimeout) {
        @Override
        public String toString() {
            return "Telegram[token=" + Secrets.mask(token) + ", apiUrl=" + Secrets.url(apiUrl) + ", mode=" + mode
                    + ", webhookUrl=" + Secrets.url(webhookUrl) + ", webhookSecret=" + Secrets.mask(webhookSecret)
                    + ", webhookBind=" + webhookBind + ", webhookPort=" + webhookPort + ", webhookPath=" + webhookPath
                    + ", pollTimeout=" + pollTimeout + "]";
        }
    }

    /** Slack (see connectors/slack/README.md). */
    public record Slack(String botToken, String appToken, String mode, String signingSecret, Integer port, String path,
                        String apiUrl, Boolean stickyThreads) {
        @Override
        public String toString() {
            return "Slack[botToken=" + Secrets.mask(botToken) + ", appToken=" + Secrets.mask(appToken) + ", mode="
                    + mode + ", signingSecret=" + Secrets.mask(signingSecret) + ", port=" + port + ", path=" + path
                    + ", apiUrl=" + Secrets.url(apiUrl) + ", stickyThreads=" + stickyThreads + "]";
        }
    }

    /** Discord (see connectors/discord/README.md). */
    public record Discord(String token, String restUrl, String gatewayUrl, Boolean stickyThreads, Integer shards,
                          String hostShards) {
        public Discord(String token, String restUrl, String gatewayUrl, Boolean stickyThreads, Integer shards) {
            this(token, restUrl, gatewayUrl, stickyThreads, shards, null);
        }

        @Override
        public String toString() {
            return "Discord[token=" + Secrets.mask(token) + ", restUrl=" + Secrets.url(restUrl) + ", gatewayUrl="
                    + Secrets.url(gatewayUrl) + ", stickyThreads=" + stickyThreads + ", shards=" + shards
                    + ", hostShards=" + hostShards + "]";
        }
    }

    /**
     * The local web chat. {@code allowedHosts}: names besides its loopback ones a browser may reach it by
     * (behind a proxy); requests for any other Host or from any other Origin are refused.
     */
    public record Web(Boolean enabled, String bind, Integer port, List<String> allowedHosts) {
        public Web(Boolean enabled, String bind, Integer port) {
            this(enabled, bind, port, null);
        }

        public Web {
            enabled = enabled == null || enabled;
            bind = bind == null ? "127.0.0.1" : bind;
            port = port == null ? 8080 : port;
            allowedHosts = allowedHosts == null ? List.of() : allowedHosts;
        }
    }
}
