package dev.claw4j.core.sandbox;

import java.util.List;

/**
 * How the agent runner starts inside the agent image, whichever runtime runs it (Docker, Kubernetes): the image's
 * own JVM with the flags measured for it, in one place so no runtime drifts from the others.
 */
public final class AgentJvm {
    /** Made at image build time by the image's own java (sandbox/image/Dockerfile). */
    public static final String CDS_ARCHIVE = "/opt/claw4j/agent.jsa";

    private AgentJvm() {
    }

    /**
     * The JVM is told the sandbox's memory since gVisor hides the cgroup. Each flag was measured for an idle
     * sandbox's memory and the first reply (README, "Measured"; bench/run cold-reply): C1 only (C2's compiler threads
     * and code cost memory, and a turn is too short to pay them back), compiling only code that is run 20 times as
     * often as the JVM's default asks (under gVisor's ptrace platform compiling the start and the first turn cost more
     * CPU than interpreting them: start + first turn 0.42 → 0.28 CPU-s, idle 49.7 → 43.1 MiB, a busy turn no slower;
     * bench/agent-flags.sh), a 4 MiB initial heap (the default is 1/64 of MaxRAM), and the image's AppCDS archive.
     * JVM warnings go to stderr: stdout is the protocol, and a warning there (an archive that cannot be used) would
     * be taken for the ready line.
     */
    public static List<String> command(SandboxLimits limits) {
        return List.of("/opt/claw4j/jre/bin/java",
                "-XX:MaxRAM=" + limits.memoryBytes(),
                "-XX:MaxRAMPercentage=40",
                "-Xms4m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:CompileThresholdScaling=20",
                "-XX:-UsePerfData",
                "-Xss512k",
                "-XX:SharedArchiveFile=" + CDS_ARCHIVE,
                "-Xlog:disable",
                "-Xlog:all=warning:stderr",
                "-jar", "/opt/claw4j/agent.jar");
    }
}
