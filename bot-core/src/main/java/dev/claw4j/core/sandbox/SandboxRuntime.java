package dev.claw4j.core.sandbox;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The port through which the host starts sandboxes. bot-core defines it; the sandbox module implements
 * it on Docker (and anything speaking Docker's API). Every sandbox it starts is hardened the same way;
 * callers choose only what differs per group (its folder, its limits, its command).
 */
public interface SandboxRuntime extends AutoCloseable {

    /** The isolation every sandbox of this runtime gets, for doctor, the admin UI and the audit trail. */
    Isolation isolation();

    /**
     * Starts a sandbox for the spec with its stdio attached. Returns once the container runs;
     * the agent inside may still be starting (wait for its {@code ready} line).
     */
    Sandbox start(SandboxSpec spec);

    /**
     * Runs a one-off command in a sandbox built exactly like the group's agent sandbox, and waits for it.
     * Output beyond {@code maxOutputBytes} is cut.
     */
    ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes);

    /**
     * What the named running sandbox uses now (the operator's console shows it). Slow (about a second: two
     * samples), so call it off the request path; empty when the runtime cannot say.
     */
    default Optional<SandboxUsage> usage(String sandboxName) {
        return Optional.empty();
    }

    /**
     * Whether the runtime answers now (for Docker: its daemon answers a ping). A start that failed while the runtime
     * does not answer is not the group's fault: the host keeps the messages and tries again when it answers.
     */
    default boolean reachable() {
        return true;
    }

    /** Removes sandboxes left by an earlier run of this install (and only this install); returns how many. */
    int removeOrphans();

    /**
     * Removes this install's orphans, and those that the given other hosts (install ids) left on this machine: hosts
     * sharing the database that are gone, so nothing of theirs runs any more. Runtimes that do not label sandboxes by
     * machine remove their own only.
     */
    default int removeOrphans(java.util.Set<String> goneHostsOnThisMachine) {
        return removeOrphans();
    }

    @Override
    void close();
}
