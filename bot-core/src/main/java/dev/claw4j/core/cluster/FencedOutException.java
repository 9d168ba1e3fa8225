package dev.claw4j.core.cluster;

/**
 * A write for a group was refused because this host no longer holds the group's lease under the token the write
 * carried: another host took the group over (this one was paused or cut off for longer than the lease). Nothing was
 * written; the turn that made the write is abandoned and the new holder answers its messages.
 */
public final class FencedOutException extends RuntimeException {
    private final Fence fence;

    public FencedOutException(Fence fence, String what) {
        super("refused " + what + " for group " + fence.groupId() + ": host " + fence.hostId() + " no longer holds its"
                + " lease under token " + fence.token() + " (another host took the group over); nothing was written,"
                + " the new holder answers its messages");
        this.fence = fence;
    }

    public Fence fence() {
        return fence;
    }
}
