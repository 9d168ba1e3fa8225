package dev.claw4j.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.SandboxException;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RuntimeSelectorTest {
    @Test
    void autoTakesTheStrongestRegisteredRuntime() {
        assertThat(RuntimeSelector.choose(Set.of("runc", "runsc", "kata"), "auto", false))
                .isEqualTo(new Isolation("kata", Isolation.Kind.MICROVM));
        assertThat(RuntimeSelector.choose(Set.of("runc", "runsc", "io.containerd.runc.v2"), "auto", false))
                .isEqualTo(new Isolation("runsc", Isolation.Kind.GVISOR));
        assertThat(RuntimeSelector.choose(Set.of("runc"), "auto", false))
                .isEqualTo(new Isolation("runc", Isolation.Kind.CONTAINER));
    }

    @Test
    void aForcedRuntimeMustBeRegistered() {
        assertThat(RuntimeSelector.choose(Set.of("runc", "runsc"), "runc", false).runtime()).isEqualTo("runc");
        assertThatThrownBy(() -> RuntimeSelector.choose(Set.of("runc"), "runsc", false))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("sandbox.runtime is 'runsc'")
                .hasMessageContaining("[runc]");
    }

    @Test
    void requireSecondWallRefusesPlainRunc() {
        assertThatThrownBy(() -> RuntimeSelector.choose(Set.of("runc"), "auto", true))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("requireSecondWall")
                .hasMessageContaining("runsc");
        assertThatThrownBy(() -> RuntimeSelector.choose(Set.of("runc", "runsc"), "runc", true))
                .isInstanceOf(SandboxException.class);
        assertThat(RuntimeSelector.choose(Set.of("runc", "runsc"), "auto", true).hasSecondWall()).isTrue();
    }

    @Test
    void describesTheIsolationForDoctorAndAudit() {
        assertThat(RuntimeSelector.choose(Set.of("runsc"), "runsc", true).describe()).isEqualTo("gvisor (runsc)");
        assertThat(RuntimeSelector.choose(Set.of("kata-fc"), "auto", true).describe()).isEqualTo("microvm (kata-fc)");
    }
}
