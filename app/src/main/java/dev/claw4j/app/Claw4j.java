package dev.claw4j.app;

import dev.claw4j.app.admin.AccessAdmin;
import dev.claw4j.app.admin.AdminServer;
import dev.claw4j.app.console.ConsoleServer;
import dev.claw4j.app.console.ConsoleSources;
import dev.claw4j.app.console.LiveHost;
import dev.claw4j.core.access.AccessPolicy;
import dev.claw4j.core.access.AccessStore;
import dev.claw4j.core.access.Gatekeeper;
import dev.claw4j.core.budget.Budgets;
import dev.claw4j.core.cluster.FoldersMarker;
import dev.claw4j.core.cluster.HostIdentity;
import dev.claw4j.core.cluster.LeaseShare;
import dev.claw4j.core.cluster.PostgresWorkSignal;
import dev.claw4j.core.cluster.Takeovers;
import dev.claw4j.core.cluster.WorkSignal;
import dev.claw4j.core.connector.Connector;
import dev.claw4j.core.host.Host;
import dev.claw4j.core.llm.GroupModels;
import dev.claw4j.core.llm.ModelCallListener;
import dev.claw4j.core.llm.ModelCallRecord;
import dev.claw4j.core.llm.ModelGateway;
import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.core.metrics.Metrics;
import dev.claw4j.core.outbox.Outbox;
import dev.claw4j.core.queue.GroupQueue;
import dev.claw4j.core.folder.GroupFolders;
import dev.claw4j.core.folder.IncomingFiles;
import dev.claw4j.core.ratelimit.RateLimiter;
import dev.claw4j.core.routing.Router;
import dev.claw4j.core.sandbox.SandboxManager;
import dev.claw4j.core.sandbox.SandboxRuntime;
import dev.claw4j.core.sandbox.SandboxSpec;
import dev.claw4j.core.sandbox.Watchdog;
import dev.claw4j.core.store.Store;
import dev.claw4j.core.turn.AgentTurns;
import dev.claw4j.core.task.Scheduler;
import dev.claw4j.core.task.TaskStore;
import dev.claw4j.core.task.Tasks;
import dev.claw4j.app.admin.TasksAdmin;
import dev.claw4j.core.turn.Presence;
import dev.claw4j.core.turn.Progress;
import dev.claw4j.core.turn.calls.WebFetchCall;
import dev.claw4j.core.web.WebFetchPolicy;
import dev.claw4j.core.web.WebFetcher;
import dev.claw4j.discord.DiscordConnector;
import dev.claw4j.web.WebConnector;
import dev.claw4j.protocol.ToolSettings;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole host, wired by constructors in one place a reader can follow top to bottom:
 * store → folders → router → sandboxes → model gateway → connectors → outbox → turns → queue → host.
 */
public final class Claw4j implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Claw4j.class);

    private final Store store;
    private final HostMetrics hostMetrics = new HostMetrics();
    private final SandboxRuntime runtime;
    private final SandboxManager sandboxes;
    private final Map<String, Connector> connectors;
    private final Outbox outbox;
    private final GroupQueue queue;
    private final Host host;
    private final AdminServer admin;
    private final Budgets budgets;
    private final ModelGateway gateway;
    /** The operator's console; null when {@code admin.console} is false or it could not listen. */
    private ConsoleServer console;
    private final Tasks tasks;
    private final Scheduler scheduler;
    /** This host among those sharing the database: its leases (alone on H2: every group's lease is its own). */
    private final dev.claw4j.core.cluster.Cluster cluster;
    /** True on PostgreSQL, where other hosts may share the database: signals and the takeover round run. */
    private final boolean shared;
    private WorkSignal signal = WorkSignal.NONE;
    private Takeovers takeovers;

    public Claw4j(Config config, SandboxRuntime runtime, ModelSettings model) {
        this(config, runtime, model, Connectors.fromConfig(config));
    }

    /** With the given connectors (tests point them at wire-level fakes of their platforms). */
    public Claw4j(Config config, SandboxRuntime runtime, ModelSettings model, List<Connector> connectorList) {
        this(config, runtime, model, connectorList, Clock.systemUTC());
    }

    /**
     * With the clock scheduled tasks run by: a test of a whole host passes one set ahead, so that a due time comes
     * within seconds.
     */
    public Claw4j(Config config, SandboxRuntime runtime, ModelSettings model, List<Connector> connectorList,
                  Clock taskClock) {
        this.runtime = runtime;
        // what every part counts into; the admin endpoint serves it at /metrics
        Metrics metrics = hostMetrics.metrics();
        this.store = Store.open(config.store().location(config.dataDir()));
        this.shared = sharedStore(store);
        this.cluster = new dev.claw4j.core.cluster.Cluster(store.dataSource(), HostIdentity.load(config.dataDir()),
                config.cluster().settings());
        // every host sharing the database must see the same group folders: refuse to start on a different set
        java.nio.file.Path foldersRoot = config.cluster().foldersRoot(config.dataDir());
        try {
            FoldersMarker.check(store.dataSource(), foldersRoot);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        String isolationInForce = runtime.isolation().describe();
        // the one door into group folders: every refusal (a link, a FIFO, a file where a folder should be) is audited
        GroupFolders folders = new GroupFolders(foldersRoot, (group, refusal) -> {
            log.warn("[{}] refused to act on {} in the group folder: {}", group, refusal.path(), refusal.why());
            store.audit().record(group, "folder.refused", refusal.getMessage(), isolationInForce);
            metrics.refused("folder.refused");
        });
        // files people sent wait here for their group's turn, which may run on another host
        IncomingFiles incoming = new IncomingFiles(foldersRoot);
        Router router = new Router(store, config.binding().policy(), folders);
        String isolation = runtime.isolation().describe();
        ExtraMounts extraMounts = new ExtraMounts(config, store, isolation, metrics);
        this.sandboxes = new SandboxManager(runtime,
                // the mount allowlist is read and every extra mount checked each time a sandbox starts
                group -> new SandboxSpec(group, folders.groupDir(group), folders.globalDir(), config.sandbox().limits(),
                        extraMounts.forGroup(group)),
                // measured through the folder door; a folder of over a million entries counts as over quota
                group -> () -> {
                    GroupFolders.Size size = folders.size(group);
                    return size.measurable() ? size.bytes() : Long.MAX_VALUE;
                },
                Watchdog.Limits.of(config.sandbox().folderQuotaBytes()),
                (group, kind, detail) -> store.audit().record(group, kind, detail, isolation), metrics);
        this.budgets = new Budgets(store.dataSource(), config.budgetSettings(), Clock.systemUTC());
        if (config.model().dailyTokenBudget() > 0) {
            log.warn("model.dailyTokenBudget is deprecated; it stands for budgets.default.dailyTokens, which is where "
                    + "it belongs (see config/claw4j.yaml)");
        }
        budgets.warnUnpriced(model.label()); // as the gateway names it in every usage row
        ModelCallListener usage = new ModelCallListener() {
            @Override
            public void onCall(ModelCallRecord call) {
                // priced now: what a call cost stays what it cost when prices change later
                store.usage().recordUsage(call.groupId(), call.model(), call.usage(), call.latencyMs(), call.outcome().name(),
                        budgets.costOf(call.model(), call.usage()), java.time.Instant.now());
                store.audit().record(call.groupId(), "model.call", call.model() + " " + call.outcome() + " in " + call.latencyMs()
                        + " ms, " + call.attempts() + " attempt(s)" + (call.usage() == null ? "" : ", "
                        + call.usage().inputTokens() + " tokens in, " + call.usage().outputTokens() + " out")
                        + (call.error() == null ? "" : ": " + call.error()), isolation);
                metrics.modelCall(call);
            }

            @Override
            public void onFallback(String groupId, String from, String to, String reason) {
                store.audit().record(groupId, "model.fallback", from + " kept failing (" + reason + "); asked " + to, isolation);
            }
        };
        // a model per group: config model.named / model.groups, and what admins picked with /model
        Config.Model modelConfig = config.model();
        Map<String, ModelSettings> namedModels = modelConfig.namedSettings();
        ModelSettings fallback = modelConfig.fallbackSettings();
        namedModels.values().forEach(m -> budgets.warnUnpriced(m.label()));
        if (fallback != null) {
            budgets.warnUnpriced(fallback.label());
        }
        GroupModels groupModels = new GroupModels(store.dataSource(), model, namedModels, modelConfig.groupModels());
        this.gateway = ModelGateway.of(model, fallback, groupModels, usage);
        this.connectors = new LinkedHashMap<>();
        for (Connector c : connectorList) {
            connectors.put(c.platform(), c);
        }
        this.outbox = new Outbox(store, connectors, Clock.systemUTC(), metrics).asHost(cluster.host().hostId());
        // typing indicators go out on their own thread: a slow platform must not slow a turn down
        Presence presence = new Presence() {
            @Override
            public void working(String platform, String chat, String thread, boolean busy, boolean failed) {
                Thread.ofVirtual().start(() -> {
                    Connector c = connectors.get(platform);
                    if (c != null) {
                        try {
                            c.working(chat, thread, busy, failed);
                        } catch (RuntimeException e) {
                            log.debug("presence on {}: {}", platform, e.getMessage());
                        }
                    }
                });
            }

            // the turn's status message, edited in place (Progress throttles it and calls off the turn's thread)
            @Override
            public Progress.Sink progress(String platform) {
                Connector c = connectors.get(platform);
                return c == null ? null : new Progress.Sink() {
                    @Override
                    public String show(String chat, String thread, String text) {
                        return c.progress(chat, thread, text);
                    }

                    @Override
                    public void edit(String chat, String thread, String handle, String text) {
                        c.editProgress(chat, thread, handle, text);
                    }

                    @Override
                    public void clear(String chat, String thread, String handle) {
                        c.clearProgress(chat, thread, handle);
                    }
                };
            }
        };
        AccessPolicy access = config.access().policy();
        this.tasks = new Tasks(new TaskStore(store.dataSource()), taskClock, config.tasks().settings());
        AgentTurns turns = new AgentTurns(store, sandboxes, gateway, outbox, folders, incoming, presence, access,
                new AgentTurns.Settings(config.sandbox().limits().turnTimeout(), config.botName(), ToolSettings.DEFAULTS,
                        config.mcp().settings()),
                budgets, metrics, groupModels, tasks);
        this.queue = new GroupQueue(config.sandbox().maxSandboxes(), config.sandbox().idle(), config.sandbox().eviction(),
                sandboxes::discard, turns, Clock.systemUTC(), metrics)
                .withGate(cluster::hold); // a group's turns run only under its lease
        metrics.queueGauges(queue::slotsUsed, () -> queue.waitingGroups().size());
        turns.withHostCall(webFetch(config.webFetch()));
        // the scheduler only hands groups with a claimed run to the queue, where the run waits like a message
        this.scheduler = new Scheduler(tasks, taskClock, group -> queue.submit(group, 0),
                (group, kind, detail) -> store.audit().record(group, kind, detail, isolation));
        Gatekeeper gatekeeper = new Gatekeeper(access, new AccessStore(store.dataSource()), Clock.systemUTC());
        this.host = new Host(store, router, queue, incoming, gatekeeper, outbox, isolation, metrics,
                new RateLimiter(config.limits().settings(), Clock.systemUTC()));
        if (shared) {
            // a message stored here for a group another host holds reaches it at once by NOTIFY
            this.signal = new PostgresWorkSignal(store.dataSource(), group -> {
                if (cluster.fence(group).isPresent()) {
                    queue.submit(group, 0);
                }
            });
            // a web chat page open here sees a reply another host delivered, pushed like one delivered here
            if (connectors.get(WebConnector.PLATFORM) instanceof WebConnector web) {
                web.shareRepliesAcrossHosts((PostgresWorkSignal) signal, id -> store.outbox().reply(id));
            }
        }
        host.joinCluster(cluster, shared, signal);
        this.admin = new AdminServer(config.dataDir(), 0, new AccessAdmin(store, config.access(), "admin-api",
                Clock.systemUTC()), hostMetrics::scrape, budgets, store,
                new TasksAdmin(tasks, store, "admin-api"));
        if (config.admin().console()) {
            // budgets and scheduled tasks plug into the console here (ConsoleSources)
            ConsoleSources budgetLines = new dev.claw4j.app.admin.BudgetsAdmin(budgets, store, "console");
            ConsoleSources consoleSources = new dev.claw4j.app.admin.TaskConsoleSources(budgetLines,
                    new TasksAdmin(tasks, store, "console"));
            LiveHost live = new LiveHost(store, host, sandboxes, runtime, queue, folders, () -> connectors,
                    Set.copyOf(connectors.keySet()), config.sandbox().limits(), config.sandbox().maxSandboxes(),
                    Clock.systemUTC());
            this.console = new ConsoleServer(config.dataDir(), config.admin().bind(), config.admin().uiPort(), store,
                    live, new AccessAdmin(store, config.access(), "console", Clock.systemUTC()), consoleSources,
                    Clock.systemUTC());
        }
    }

    /** PostgreSQL can be shared by several hosts; the embedded H2 is this process's alone. */
    private static boolean sharedStore(Store store) {
        return store.dialect() == dev.claw4j.core.store.Dialect.POSTGRESQL;
    }

    /** This host among the hosts sharing its database. */
    public dev.claw4j.core.cluster.Cluster cluster() {
        return cluster;
    }

    /** The web_fetch host call under the config's allowlist (empty: every fetch refused, saying how to allow). */
    private static WebFetchCall webFetch(Config.WebFetch config) {
        WebFetchPolicy policy = config.policy();
        if (!policy.privateAddressesAllowed().isEmpty()) {
            log.warn("!!! webFetch.allowPrivateAddresses is set: agents may have this host fetch from {} although "
                    + "they are private or loopback addresses. This is for tests; remove it in production. !!!",
                    config.allowPrivateAddresses());
        }
        log.info("web_fetch: {}", policy.allow().isEmpty() && policy.groups().isEmpty()
                ? "no host allowed (set webFetch.allow in the config to let agents read the web)"
                : "allowed " + policy.allow() + (policy.groups().isEmpty() ? "" : " and per group " + policy.groups()));
        return new WebFetchCall(new WebFetcher(policy));
    }

    /** Cleans up after an earlier run, picks up its unfinished work, and starts every connector. */
    public void start() {
        // this host's own leftovers, and those of other hosts of this machine that are gone; never a live host's
        int orphans = runtime.removeOrphans(cluster.goneHostsOnThisMachine());
        if (orphans > 0) {
            log.info("removed {} sandbox(es) left by an earlier run", orphans);
        }
        cluster.start();
        if (shared) {
            ((PostgresWorkSignal) signal).start();
            this.takeovers = new Takeovers(cluster, group -> queue.submit(group, 0)).start();
            log.info("host {}: sharing the database with other hosts (live now: {})", cluster.host().hostId(),
                    cluster.liveHosts());
        }
        // the first person to write would wait 0.4-1.2 s for the model path's classes (README, "Measured": cold first
        // reply); a loopback call loads them now, beside start-up. claw4j.modelWarmUp=false is for the bench's
        // before/after only.
        if (!"false".equals(System.getProperty("claw4j.modelWarmUp"))) {
            Thread.ofPlatform().name("model-warm-up").daemon(true).start(gateway::warmUp);
        }
        host.recover();
        scheduler.start();
        admin.start();
        if (console != null) {
            try {
                console.start();
            } catch (RuntimeException e) {
                // like a connector: the host runs on without its console, and says why
                log.error("the console did not start: {}", e.getMessage());
                console = null;
            }
        }
        for (Connector c : List.copyOf(connectors.values())) {
            if (shared && c instanceof dev.claw4j.telegram.TelegramConnector telegram && telegram.polls()) {
                // Telegram refuses two pollers of one bot: the host holding this leader lease polls, another takes
                // over when it lapses and goes on from the cursor in the store (webhook calls may reach any host)
                var polling = cluster.lead("telegram-polling", new dev.claw4j.core.cluster.Leadership.Listener() {
                    @Override
                    public void gained(dev.claw4j.core.cluster.Lease lease) {
                        log.info("host {} polls Telegram now (leader lease token {})", cluster.host().hostId(),
                                lease.token());
                    }

                    @Override
                    public void lost(dev.claw4j.core.cluster.Lease lease) {
                        log.info("host {} stops polling Telegram (leader lease token {} lost)",
                                cluster.host().hostId(), lease.token());
                    }
                });
                telegram.pollOnlyWhile(polling::isLeader);
            }
            // Discord's shards follow the live hosts: shard N runs on the host holding the discord-shard-N lease, each
            // host taking its fair share, a dead host's shards taken over when their leases expire
            DiscordConnector leasedShards = shared && c instanceof DiscordConnector d && !d.shardsDividedByHand() ? d
                    : null;
            if (leasedShards != null) {
                leasedShards.shardsFollowLeases();
            }
            try {
                c.start(host);
                log.info("connector {} started", c.platform());
                if (leasedShards != null) {
                    cluster.share("discord-shard-", leasedShards.shards(), new LeaseShare.Listener() {
                        @Override
                        public void gained(int shard) {
                            leasedShards.shardGained(shard);
                        }

                        @Override
                        public void lost(int shard) {
                            leasedShards.shardLost(shard);
                        }
                    });
                }
            } catch (RuntimeException e) {
                // one connector failing must not stop the others
                log.error("connector {} did not start: {}", c.platform(), e.getMessage());
                connectors.remove(c.platform());
            }
        }
        // only now, with the connectors running: started before them, the outbox's first round failed every reply
        // an earlier run left (a reply cut off mid-send, say) with "not running", and each restart added an attempt
        // and a longer backoff, up to giving the reply up
        outbox.start();
    }

    public Tasks tasks() {
        return tasks;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Host host() {
        return host;
    }

    public Store store() {
        return store;
    }

    /** The meters behind {@code /metrics}. */
    public HostMetrics metrics() {
        return hostMetrics;
    }

    /** The local admin endpoint (the access commands while this host runs; the admin pages later). */
    public AdminServer admin() {
        return admin;
    }

    /** Per-group budgets: usage, limits in force, run-time overrides (the admin console's). */
    public Budgets budgets() {
        return budgets;
    }

    /** The operator's console, or null when it is off or could not listen. */
    public ConsoleServer console() {
        return console;
    }

    public SandboxManager sandboxes() {
        return sandboxes;
    }

    public GroupQueue queue() {
        return queue;
    }

    public Connector connector(String platform) {
        return connectors.get(platform);
    }

    @Override
    public void close() {
        if (takeovers != null) {
            takeovers.close();
        }
        signal.close();
        scheduler.close();
        if (console != null) {
            console.close();
        }
        admin.close();
        connectors.values().forEach(Connector::close);
        queue.close();
        outbox.close();
        sandboxes.close();
        // a sandbox whose start or stop was still under way is removed too: a graceful stop leaves none behind
        int left = runtime.removeOrphans();
        if (left > 0) {
            log.info("removed {} sandbox(es) still there at shutdown", left);
        }
        runtime.close();
        cluster.close(); // the leases go last before the store: the other hosts take the groups over at once
        store.close();
        hostMetrics.close();
    }
}
