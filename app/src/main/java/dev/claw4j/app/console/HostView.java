package dev.claw4j.app.console;

import java.time.Instant;
import java.util.List;

/**
 * What the console sees of the running host beyond the store, and what it may do to it. {@link LiveHost} is the
 * real one; tests give a small fake.
 */
public interface HostView {
    /** A connector: whether it started and is running, and when its platform last brought a message. */
    record ConnectorState(String platform, boolean up, Instant lastEvent) {}

    /**
     * A live sandbox. {@code since}: when the console first saw it (within a second of its start);
     * {@code limits}: what it may use; {@code usage}: what it uses now, or why that is not shown.
     */
    record SandboxState(String groupId, String name, String isolation, Instant since, String limits, String usage) {}

    /** Sandboxes held against the cap, and the groups waiting for a free one. */
    record QueueState(int slotsUsed, int maxSandboxes, List<String> waitingGroups) {}

    List<ConnectorState> connectors();

    List<SandboxState> sandboxes();

    QueueState queue();

    boolean hasSandbox(String groupId);

    /** Stops the group's sandbox (its folder stays); false when it had none. */
    boolean stopSandbox(String groupId);

    /** Forgets the group's conversation (files and memory stay); false when the folder refused it. */
    boolean resetConversation(String groupId, String by);

    boolean pause(String groupId, String by);

    boolean resume(String groupId, String by);

    boolean isPaused(String groupId);
}
