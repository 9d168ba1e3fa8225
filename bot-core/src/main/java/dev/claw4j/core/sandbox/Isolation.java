package dev.claw4j.core.sandbox;

/**
 * What separates an agent from the host. {@code runtime} is the OCI runtime's name as the daemon knows it,
 * {@code kind} how strong the wall is.
 */
public record Isolation(String runtime, Kind kind) {
    public enum Kind {
        /** A plain container: namespaces and cgroups over the host kernel. One wall. */
        CONTAINER("container"),
        /** gVisor: the agent's system calls meet a user-space kernel, not the host's. Second wall. */
        GVISOR("gvisor"),
        /** A microVM per sandbox (Kata, Firecracker): its own guest kernel. Second wall. */
        MICROVM("microvm");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    public boolean hasSecondWall() {
        return kind != Kind.CONTAINER;
    }

    /** For example {@code gvisor (runsc)}. */
    public String describe() {
        return kind.label() + " (" + runtime + ")";
    }
}
