package dev.claw4j.sandbox;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** Base of the integration tests that run sandboxes: a data folder of their own and a gVisor runtime. */
abstract class InGvisor {
    @TempDir
    static Path data;
    static DockerSandboxRuntime runtime;

    @BeforeAll
    static void startRuntime() {
        runtime = TestSandboxes.gvisor();
    }

    @AfterAll
    static void removeLeftovers() {
        runtime.removeOrphans();
    }
}
