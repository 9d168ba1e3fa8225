package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import dev.claw4j.core.sandbox.AgentJvm;
import dev.claw4j.core.sandbox.SandboxLimits;
import dev.claw4j.core.sandbox.SandboxSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class HardenedContainerTest {
    private final SandboxSpec spec = new SandboxSpec("g1", Path.of("/data/groups/g1"), Path.of("/data/global"),
            SandboxLimits.DEFAULTS, List.of(new SandboxSpec.ExtraMount(Path.of("/srv/docs"), "docs", true)));

    @Test
    void appliesEveryDefaultOfTheSandboxTable() {
        var host = HardenedContainer.hostConfig("runsc", spec);
        assertThat(host.getRuntime()).isEqualTo("runsc");
        assertThat(host.getNetworkMode()).isEqualTo("none");
        assertThat(host.getReadonlyRootfs()).isTrue();
        assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
        assertThat(host.getCapAdd()).isNull();
        assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
        assertThat(host.getMemory()).isEqualTo(512L << 20);
        assertThat(host.getMemorySwap()).isEqualTo(512L << 20);
        assertThat(host.getNanoCPUs()).isEqualTo(1_000_000_000L);
        assertThat(host.getPidsLimit()).isEqualTo(256L);
        assertThat(host.getPrivileged()).isFalse();
        assertThat(host.getInit()).isTrue();
        assertThat(host.getLogConfig().getType()).as("no unbounded log of the agent's output on the host")
                .isEqualTo(com.github.dockerjava.api.model.LogConfig.LoggingType.NONE);
        assertThat(host.getTmpFs()).containsOnlyKeys("/tmp", "/home/agent");
        assertThat(host.getTmpFs().get("/tmp")).contains("size=" + (64L << 20)).contains("nosuid");
    }

    @Test
    void mountsOnlyTheGroupFolderWritableAndTheRestReadOnly() {
        var binds = HardenedContainer.hostConfig("runsc", spec).getBinds();
        assertThat(binds).extracting(Bind::getPath, b -> b.getVolume().getPath(), Bind::getAccessMode)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("/data/groups/g1", "/workspace/group", AccessMode.rw),
                        org.assertj.core.groups.Tuple.tuple("/data/global", "/workspace/global", AccessMode.ro),
                        org.assertj.core.groups.Tuple.tuple("/srv/docs", "/workspace/extra/docs", AccessMode.ro));
    }

    @Test
    void environmentCarriesNothingFromTheHost() {
        assertThat(HardenedContainer.ENV).allMatch(e -> e.matches("(HOME|PATH|LANG|CLAW4J_WORKSPACE)=.*"));
    }

    @Test
    void theAgentJvmIsToldTheSandboxMemory() {
        assertThat(AgentJvm.command(SandboxLimits.DEFAULTS)).contains("-XX:MaxRAM=" + (512L << 20));
    }

    @Test
    void theAgentJvmCompilesOnlyHotCode() {
        // C1 only, and only code hot enough to pay for its compile under gVisor (bench/agent-flags.sh)
        assertThat(AgentJvm.command(SandboxLimits.DEFAULTS))
                .contains("-XX:TieredStopAtLevel=1", "-XX:CompileThresholdScaling=20");
    }

    @Test
    void jvmWarningsStayOffStdoutWhichIsTheProtocol() {
        // e.g. "[warning][cds] ... archive ... not found" from an image built without the archive
        assertThat(AgentJvm.command(SandboxLimits.DEFAULTS))
                .containsSubsequence("-Xlog:disable", "-Xlog:all=warning:stderr", "-jar")
                .contains("-XX:SharedArchiveFile=" + AgentJvm.CDS_ARCHIVE);
    }
}
