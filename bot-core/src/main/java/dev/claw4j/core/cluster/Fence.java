package dev.claw4j.core.cluster;

/**
 * What a write for a group carries: the host that holds the group's lease and the lease's token at the time it was
 * taken. The write is refused when the lease row no longer has both (another host took the group over meanwhile).
 */
public record Fence(String groupId, String hostId, long token) {
    @Override
    public String toString() {
        return groupId + "@" + hostId + "#" + token;
    }
}
