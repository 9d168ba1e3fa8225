package dev.claw4j.core.llm;

/**
 * Told about every model call once it is over (success or final failure), on the calling thread.
 * The host records usage and audit events from it. An exception thrown here is logged and ignored:
 * bookkeeping must not turn a good answer into a failure.
 */
@FunctionalInterface
public interface ModelCallListener {
    ModelCallListener NONE = record -> { };

    void onCall(ModelCallRecord record);

    /**
     * The group's model kept failing with 5xx after all retries, so the gateway tries the fallback model
     * next; {@code reason} is the last error (never the key). The host audits it as {@code model.fallback}.
     */
    default void onFallback(String groupId, String from, String to, String reason) { }
}
