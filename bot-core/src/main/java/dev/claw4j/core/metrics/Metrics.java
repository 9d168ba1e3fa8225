package dev.claw4j.core.metrics;

import dev.claw4j.core.llm.ModelCallRecord;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The host's meters, behind typed methods so no caller builds a meter name or a tag by hand. Names are
 * Micrometer's dotted form; the Prometheus registry shows {@code claw4j.messages.received} as
 * {@code claw4j_messages_received_total}, a timer {@code claw4j.turn.duration} as
 * {@code claw4j_turn_duration_seconds_{count,sum,max,bucket}}.
 *
 * <p>Cardinality is bounded: platforms, providers and models come from code and config; outcomes and kinds are
 * fixed sets named here or literals at the call sites (never text an agent or a person wrote); the group id is
 * a tag only on the token counter, and only for the first {@link #MAX_GROUP_TAGS} groups this process sees; the
 * rest are summed under {@code group="_other"}.
 */
public final class Metrics {
    /** Groups with their own token series; beyond this, a new group's tokens count under {@link #OTHER_GROUP}. */
    public static final int MAX_GROUP_TAGS = 500;
    public static final String OTHER_GROUP = "_other";

    /** What became of a message a connector handed in. */
    public enum Received { ACCEPTED, IGNORED, REFUSED, DUPLICATE }

    private final MeterRegistry registry;
    private final Set<String> taggedGroups = ConcurrentHashMap.newKeySet();

    public Metrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Meters that go nowhere: for tests and for wiring that has no registry. */
    public static Metrics none() {
        return new Metrics(new CompositeMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    public void messageReceived(String platform, Received outcome) {
        Counter.builder("claw4j.messages.received").description("Messages connectors handed in, by what became of them")
                .tag("platform", platform).tag("outcome", lower(outcome)).register(registry).increment();
    }

    /** A reply (or notice) delivered to its platform. */
    public void messageSent(String platform) {
        Counter.builder("claw4j.messages.sent").description("Replies delivered to their platform")
                .tag("platform", platform).register(registry).increment();
    }

    /** A delivery failed and will be tried again. */
    public void outboxRetry(String platform) {
        Counter.builder("claw4j.outbox.retries").description("Failed deliveries that will be retried")
                .tag("platform", platform).register(registry).increment();
    }

    /** A delivery was given up (permanent error or too many attempts). */
    public void outboxFailure(String platform) {
        Counter.builder("claw4j.outbox.failures").description("Replies given up after a permanent error or too many attempts")
                .tag("platform", platform).register(registry).increment();
    }

    /** One agent turn, from taking its messages to handing its reply to the outbox. */
    public void turn(Duration took, boolean ok) {
        timer("claw4j.turn.duration", "Agent turns, from taking their messages to handing the reply to the outbox",
                Duration.ofMinutes(30)).tag("outcome", ok ? "ok" : "failed").register(registry).record(took);
    }

    /** How long a group's work waited from its message's arrival to the start of the turn that takes it. */
    public void queueWait(Duration waited) {
        timer("claw4j.queue.wait", "Time from a message being queued to the start of its group's turn",
                Duration.ofMinutes(30)).register(registry).record(waited);
    }

    /** One model call as the gateway saw it (all its attempts), and its tokens. */
    public void modelCall(ModelCallRecord call) {
        String label = call.model() == null ? "unknown" : call.model();
        int slash = label.indexOf('/');
        String provider = slash > 0 ? label.substring(0, slash) : "unknown";
        String model = slash > 0 ? label.substring(slash + 1) : label;
        timer("claw4j.model.latency", "Model calls, all attempts and the waits between them included",
                Duration.ofMinutes(10)).tag("provider", provider).tag("model", model)
                .tag("outcome", call.ok() ? "ok" : "failed").register(registry).record(Duration.ofMillis(call.latencyMs()));
        if (call.usage() == null) {
            return;
        }
        String group = groupTag(call.groupId());
        tokens(provider, model, group, "in", call.usage().inputTokens());
        tokens(provider, model, group, "out", call.usage().outputTokens());
    }

    private void tokens(String provider, String model, String group, String direction, long n) {
        Counter counter = Counter.builder("claw4j.model.tokens").description("Model tokens, per provider, model, group "
                        + "(the first " + MAX_GROUP_TAGS + " groups; the rest as " + OTHER_GROUP + ") and direction")
                .tag("provider", provider).tag("model", model).tag("group", group).tag("direction", direction)
                .register(registry);
        if (n > 0) {
            counter.increment(n);
        }
    }

    /** The group's own tag while fewer than {@link #MAX_GROUP_TAGS} groups have one, else {@link #OTHER_GROUP}. */
    String groupTag(String groupId) {
        if (groupId == null) {
            return OTHER_GROUP;
        }
        if (taggedGroups.contains(groupId)) {
            return groupId;
        }
        synchronized (taggedGroups) {
            if (taggedGroups.size() < MAX_GROUP_TAGS) {
                taggedGroups.add(groupId);
                return groupId;
            }
        }
        return OTHER_GROUP;
    }

    /** A sandbox start, from asking the runtime to the agent's {@code ready} line. */
    public void sandboxStart(Duration took, boolean ok) {
        timer("claw4j.sandbox.start", "Sandbox starts, from asking the runtime to the agent's ready line",
                Duration.ofMinutes(2)).tag("outcome", ok ? "ok" : "failed").register(registry).record(took);
    }

    /** Sandboxes live (ready and holding a group) and starting now. */
    public void sandboxGauges(IntSupplier live, IntSupplier starting) {
        Gauge.builder("claw4j.sandboxes.live", live::getAsInt).description("Sandboxes running with a ready agent")
                .register(registry);
        Gauge.builder("claw4j.sandboxes.starting", starting::getAsInt).description("Sandboxes being started now")
                .register(registry);
    }

    /** Sandbox slots the queue holds (running or warm) and groups waiting for one. */
    public void queueGauges(IntSupplier slotsUsed, IntSupplier waitingGroups) {
        Gauge.builder("claw4j.queue.slots.used", slotsUsed::getAsInt)
                .description("Sandbox slots held by groups (running or warm)").register(registry);
        Gauge.builder("claw4j.queue.waiting.groups", waitingGroups::getAsInt)
                .description("Groups waiting for a sandbox slot").register(registry);
    }

    /**
     * Something the host refused, by its audit kind ({@code folder.refused}, {@code host.call.refused},
     * {@code access.refused}, {@code connector.refused}, ...). Callers pass the literal kind they audit, never a
     * kind that came from a sandbox (an agent's event names its own kind).
     */
    public void refused(String auditKind) {
        Counter.builder("claw4j.refusals").description("Things the host refused, by audit kind")
                .tag("kind", auditKind).register(registry).increment();
    }

    /** The watchdog stopped a sandbox; {@code reason} is the watchdog's own sentence, sorted into a kind. */
    public void watchdogStop(String reason) {
        Counter.builder("claw4j.watchdog.stops").description("Sandboxes the watchdog stopped, by what they did")
                .tag("kind", watchdogKind(reason)).register(registry).increment();
    }

    /** Sorts the watchdog's sentences (see Watchdog#check) into a fixed set of kinds. */
    static String watchdogKind(String reason) {
        if (reason == null) {
            return "other";
        }
        if (reason.contains("lines the host refused")) {
            return "refused_lines";
        }
        if (reason.contains("MiB of output")) {
            return "output_bytes";
        }
        if (reason.contains("messages within")) {
            return "messages";
        }
        if (reason.contains("past its quota")) {
            return "folder_quota";
        }
        if (reason.contains("too many entries")) {
            return "folder_entries";
        }
        return "other";
    }

    private static Timer.Builder timer(String name, String description, Duration max) {
        // a histogram, so a dashboard can draw p50/p99 across series; its buckets stop at the longest sane value
        return Timer.builder(name).description(description).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(max);
    }

    private static String lower(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT);
    }
}
