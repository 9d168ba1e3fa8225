package dev.claw4j.app;

import dev.claw4j.core.llm.ModelSettings;
import dev.claw4j.core.sandbox.ExecResult;
import dev.claw4j.core.sandbox.Isolation;
import dev.claw4j.core.sandbox.Sandbox;
import dev.claw4j.core.sandbox.SandboxException;
import dev.claw4j.core.sandbox.SandboxRuntime;
import dev.claw4j.core.sandbox.SandboxSpec;
import java.time.Duration;
import java.util.List;

/** A runtime that starts nothing, for tests of a whole host that are about its files or folders, not sandboxes. */
final class NoSandboxes implements SandboxRuntime {
    /** A model nobody listens for: these hosts never run a turn. */
    static final ModelSettings NO_MODEL = ModelSettings.of("openai", "m", "k", "http://127.0.0.1:9/v1");

    @Override
    public Isolation isolation() {
        return new Isolation("none", Isolation.Kind.CONTAINER);
    }

    @Override
    public Sandbox start(SandboxSpec spec) {
        throw new SandboxException("no sandboxes in this test");
    }

    @Override
    public ExecResult exec(SandboxSpec spec, List<String> command, Duration timeout, int maxOutputBytes) {
        throw new SandboxException("no sandboxes in this test");
    }

    @Override
    public int removeOrphans() {
        return 0;
    }

    @Override
    public void close() {}
}
