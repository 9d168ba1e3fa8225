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

    /** Stops the sandbox: SIGTERM, then SIGKILL after {@code grace}; then removes it. */
    void stop(Duration grace);

    @Override
    default void close() {
        stop(Duration.ofSeconds(2));
    }
}
