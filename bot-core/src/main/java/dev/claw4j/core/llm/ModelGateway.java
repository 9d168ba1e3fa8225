package dev.claw4j.core.llm;

import dev.claw4j.core.llm.ModelCallRecord.Outcome;
import dev.claw4j.protocol.AgentMessage;
import dev.claw4j.protocol.HostMessage;
import dev.claw4j.protocol.ProtocolError;
import dev.claw4j.protocol.Usage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The host's {@link LlmGateway}: calls the model through a {@link ModelClient}, retries what is worth
 * retrying, tells the {@link ModelCallListener} about every call, and turns a final failure into a
 * {@link ProtocolError} a person in the chat can act on. Never throws. Each group may talk to its own model
 * ({@link Routing}); when a group's model keeps failing with 5xx after all retries and a fallback model is
 * configured, the call goes to the fallback (once, with the fallback's own retries).
 * <p>
 * Logs carry the exception's message only, never the exception: a provider's raw error body sits in the
 * cause chain and might quote the key.
 */
public final class ModelGateway implements LlmGateway {
    private static final Logger log = LoggerFactory.getLogger(ModelGateway.class);

    /**
     * A model to call, the host's ceiling on its output tokens per call, and its retries (null: the gateway's).
     */
    public record Target(ModelClient client, int maxTokens, RetryPolicy retry) {
        public Target(ModelClient client, int maxTokens) {
            this(client, maxTokens, null);
        }
    }

    /** Which model a group talks to; asked on every call, so a change (e.g. {@code /model}) applies to the next one. */
    @FunctionalInterface
    public interface Routing {
        ModelSettings forGroup(String groupId);
    }

    private final Function<String, Target> route;
    private final Target fallback;
    private final RetryPolicy retry;
    private final RetryPolicy.Sleeper sleeper;
    private final ModelCallListener listener;
    /** The models known at start (the default and the fallback), warmed up by {@link #warmUp()}. */
    private List<Target> startTargets = List.of();

    /**
     * @param route    the model for a group
     * @param fallback the model tried when the group's model keeps failing with 5xx after all retries, or null
     */
    public ModelGateway(Function<String, Target> route, Target fallback, RetryPolicy retry,
                        RetryPolicy.Sleeper sleeper, ModelCallListener listener) {
        this.route = route;
        this.fallback = fallback;
        this.retry = retry;
        this.sleeper = sleeper;
        this.listener = listener == null ? ModelCallListener.NONE : listener;
    }

    /**
     * @param maxTokens the host's ceiling on output tokens per call; an agent may ask for fewer, not more
     */
    public ModelGateway(ModelClient client, RetryPolicy retry, RetryPolicy.Sleeper sleeper,
                        ModelCallListener listener, int maxTokens) {
        this(group -> new Target(client, maxTokens), null, retry, sleeper, listener);
    }

    /** The gateway for the configured model, with real waits between retries. */
    public static ModelGateway of(ModelSettings settings, ModelCallListener listener) {
        return of(settings, null, group -> settings, listener);
    }

    /**
     * The gateway for a model per group: {@code routing} names each group's settings (the default model when
     * nothing else is configured); clients are built once per distinct settings and shared by the groups
     * that use them. Each model is retried as its own {@code maxRetries} says.
     */
    public static ModelGateway of(ModelSettings defaults, ModelSettings fallback, Routing routing,
                                  ModelCallListener listener) {
        Map<ModelSettings, Target> clients = new ConcurrentHashMap<>();
        Function<ModelSettings, Target> target = s -> clients.computeIfAbsent(s,
                k -> new Target(ModelClients.create(k), k.maxTokens(), RetryPolicy.withMaxRetries(k.maxRetries())));
        target.apply(defaults); // a broken default model fails at start, not at the first message
        Target fallbackTarget = fallback == null ? null : target.apply(fallback);
        ModelGateway gateway = new ModelGateway(group -> {
            ModelSettings chosen = routing.forGroup(group);
            return target.apply(chosen == null ? defaults : chosen);
        }, fallbackTarget, RetryPolicy.withMaxRetries(defaults.maxRetries()), RetryPolicy.Sleeper.REAL, listener);
        gateway.startTargets = fallbackTarget == null ? List.of(target.apply(defaults))
                : List.of(target.apply(defaults), fallbackTarget);
        return gateway;
    }

    /**
     * Pays the first model call's start-up cost now, off any turn: each model known at start makes one canned call
     * to a loopback server ({@link ModelClient#warmUp()}; the provider is never called), and a turn's protocol
     * messages are encoded and decoded once. Returns how many models were warmed up.
     */
    public int warmUp() {
        ModelWarmUp.protocolRoundTrip();
        int warmed = 0;
        for (Target t : startTargets) {
            long started = System.nanoTime();
            if (t.client().warmUp()) {
                warmed++;
                log.info("model {}: client warmed up in {} ms (a loopback call; the provider was not called)",
                        t.client().model(), (System.nanoTime() - started) / 1_000_000);
            }
        }
        return warmed;
    }

    @Override
    public HostMessage answer(String groupId, AgentMessage.LlmRequest request) {
        return answer(groupId, request, List.of());
    }

    @Override
    public boolean acceptsImages(String groupId) {
        try {
            return route.apply(groupId).client().acceptsImages();
        } catch (RuntimeException e) {
            return false; // the model call itself says what is wrong with the group's model
        }
    }

    @Override
    public HostMessage answer(String groupId, AgentMessage.LlmRequest request, List<ModelImage> images) {
        String previousGroup = MDC.get("group");
        MDC.put("group", groupId);
        try {
            return call(groupId, request, images == null ? List.of() : images);
        } finally {
            if (previousGroup == null) {
                MDC.remove("group");
            } else {
                MDC.put("group", previousGroup);
            }
        }
    }

    private HostMessage call(String groupId, AgentMessage.LlmRequest request, List<ModelImage> images) {
        Target main;
        try {
            main = route.apply(groupId);
        } catch (RuntimeException e) {
            // e.g. a group's stored model whose settings no longer build
            log.error("no model for the group: {}", e.getMessage());
            return new ProtocolError(request == null ? null : request.id(), ProtocolError.MODEL_FAILED,
                    "This group's model cannot be used (" + e.getMessage() + "); an admin can pick another with /model.");
        }
        Attempt first = attempt(groupId, request, main, images);
        if (first.error() == null || first.error().kind() != ModelException.Kind.SERVER_ERROR || fallback == null
                || fallback.client().model().equals(main.client().model())) {
            return first.answer();
        }
        log.warn("model {} keeps failing ({}); trying the fallback model {}", main.client().model(),
                first.error().getMessage(), fallback.client().model());
        try {
            listener.onFallback(groupId, main.client().model(), fallback.client().model(), first.error().getMessage());
        } catch (RuntimeException e) {
            log.warn("model call listener failed: {}", e.toString());
        }
        return attempt(groupId, request, fallback, images).answer();
    }

    /** The answer to give, and the final model error when the call failed with one. */
    private record Attempt(HostMessage answer, ModelException error) {}

    /** A fallback model without images is sent the text alone: the client leaves out what its model cannot take. */
    private Attempt attempt(String groupId, AgentMessage.LlmRequest request, Target target, List<ModelImage> images) {
        ModelClient client = target.client();
        RetryPolicy retry = target.retry() == null ? this.retry : target.retry();
        String id = request == null ? null : request.id();
        long started = System.nanoTime();
        int attempts = 0;
        try {
            int tokens = request.maxTokens() == null ? target.maxTokens()
                    : Math.min(request.maxTokens(), target.maxTokens());
            while (true) {
                attempts++;
                try {
                    ModelReply reply = images.isEmpty()
                            ? client.chat(request.system(), request.messages(), request.tools(), tokens)
                            : client.chat(request.system(), request.messages(), request.tools(), tokens, images);
                    report(new ModelCallRecord(groupId, client.model(), reply.usage(), millisSince(started),
                            attempts, Outcome.OK, null));
                    return new Attempt(new HostMessage.LlmResponse(id, reply.message(), reply.usage(),
                            reply.stopReason()), null);
                } catch (ModelException e) {
                    if (!e.retryable() || attempts > retry.maxRetries()) {
                        return new Attempt(failed(client, groupId, id, started, attempts, e.getMessage(),
                                forPeople(e, attempts)), e);
                    }
                    Duration wait = retry.delayBefore(attempts, e.retryAfter().orElse(null));
                    log.info("model call attempt {} failed ({}); trying again in {} ms",
                            attempts, e.getMessage(), wait.toMillis());
                    sleeper.sleep(wait);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt(failed(client, groupId, id, started, attempts, "interrupted",
                    "The model call was interrupted because claw4j is stopping. Try again in a minute."), null);
        } catch (RuntimeException e) {
            // A bug in a client or a broken request; the agent still gets an answer, the log gets the details.
            log.error("model call failed unexpectedly: {}", e.toString());
            return new Attempt(failed(client, groupId, id, started, attempts, e.getClass().getSimpleName(),
                    "The model call failed unexpectedly; the admin can find details in the host log."), null);
        }
    }

    private ProtocolError failed(ModelClient client, String groupId, String id, long started, int attempts,
                                 String error, String forPeople) {
        log.warn("model call failed after {} {}: {}", attempts, attempts == 1 ? "try" : "tries", error);
        report(new ModelCallRecord(groupId, client.model(), Usage.NONE, millisSince(started), attempts,
                Outcome.FAILED, error));
        return new ProtocolError(id, ProtocolError.MODEL_FAILED, forPeople);
    }

    /** What the person in the chat reads: what happened, and who can do what about it. */
    static String forPeople(ModelException e, int attempts) {
        String status = e.httpStatus().isPresent() ? "HTTP " + e.httpStatus().getAsInt() + " " : "";
        String tries = "after " + attempts + (attempts == 1 ? " try" : " tries");
        return switch (e.kind()) {
            case RATE_LIMITED -> "The model provider is rate-limiting us (" + status + tries
                    + "). Try again in a minute.";
            case SERVER_ERROR -> "The model is not answering right now (" + status + tries
                    + "). Try again in a minute.";
            case TIMEOUT -> "The model did not answer in time (" + status + tries + "). Try again in a minute.";
            case UNREACHABLE -> "The model server cannot be reached (" + tries + "). Try again in a minute;"
                    + " if it keeps happening, the admin should check model.baseUrl and the network.";
            case AUTH -> e.httpStatus().orElse(0) == 403
                    ? "The model provider refused access (HTTP 403): the admin should check model.apiKey"
                      + " and that the account may use model.name."
                    : "The model provider refused the key (" + status.strip() + "): the admin should check model.apiKey.";
            case BAD_REQUEST -> e.httpStatus().orElse(0) == 404
                    ? "The model provider does not know this model (" + e.getMessage()
                      + "): the admin should check model.name and model.baseUrl."
                    : "The model provider rejected the request (" + e.getMessage() + ").";
            case BAD_ANSWER -> "The model sent an answer claw4j cannot read: the admin should check that"
                    + " model.baseUrl points at the right kind of server.";
            case INTERRUPTED -> "The model call was interrupted because claw4j is stopping. Try again in a minute.";
            case OTHER -> "The model call failed (" + e.getMessage() + ").";
        };
    }

    private void report(ModelCallRecord record) {
        try {
            listener.onCall(record);
        } catch (RuntimeException e) {
            log.warn("model call listener failed: {}", e.toString());
        }
    }

    private static long millisSince(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }
}
