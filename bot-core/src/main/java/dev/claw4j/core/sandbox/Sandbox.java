package dev.claw4j.core.sandbox;

import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A running sandbox with its stdio attached. Closing it stops and removes the container. */
public interface Sandbox extends AutoCloseable {
    String groupId();

    /** The container's name, {@code claw4j-<group>-<hash>}. */
    String name();

    /** Lines to the agent. Closing it gives the agent end-of-input. */
    OutputStream stdin();

    /** The agent's protocol lines. Its stderr goes to the host log with the group id. */
    InputStream stdout();

    /** Completes when the sandbox has exited, with how it ended. */
    CompletableFuture<SandboxExit> exit();

    /**
     * Reads one regular file as the sandbox sees it (paths and links resolve inside the sandbox, never on the
     * host). Throws a {@link SandboxException} saying why when it is missing, not a plain file, or too big.
     */
    byte[] readFile(String path, int maxBytes);

    /**
     * Whether the sandbox's {@code /workspace/group} is the group's folder on the host (a bind mount): then the host
     * puts files for the agent there itself, through its folder door. False when the folder lives only where the
     * sandbox runs (a pod's volume): then {@link #putInbox} puts them in through the sandbox.
     */
    default boolean seesHostFolder() {
        return true;
    }

    /**
     * Puts a file a person sent into the group's {@code inbox/} as the sandbox sees it, under {@code name} made safe
     * as one path element; returns the path as the agent sees it ({@code inbox/<name>}). Only for a sandbox that does
     * not see the host's folder; throws a {@link SandboxException} saying why when it was refused.
     */
    default String putInbox(String name, byte[] content) {
        throw new UnsupportedOperationException("this sandbox sees the host's group folder: put the file there");
    }

    /** Stops the sandbox: SIGTERM, then SIGKILL after {@code grace}; then removes it. */
    void stop(Duration grace);

    @Override
    default void close() {
        stop(Duration.ofSeconds(2));
    }
}
