package dev.claw4j.core.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claw4j.core.sandbox.ExecResult;
import dev.claw4j.core.sandbox.SandboxExit;
import org.junit.jupiter.api.Test;

class CheckTest {
    private static ExecResult ran(int code, String out) {
        return new ExecResult(new SandboxExit(code, false), out, "", false, false);
    }

    @Test
    void theChecksOwnJsonDecides() {
        assertThat(Check.decide(ran(0, "{\"wake\": false}"))).isEqualTo(new Check.Sleep());
        assertThat(Check.decide(ran(0, "{\"wake\": true, \"data\": {\"new\": 3}}")))
                .isEqualTo(new Check.Wake("{\"new\":3}"));
        assertThat(Check.decide(ran(0, "{\"wake\": true}"))).isEqualTo(new Check.Wake("null"));
    }

    @Test
    void anythingElseIsAFailedRunNeverAGuess() {
        assertThat(Check.decide(ran(0, "wake: true"))).isInstanceOf(Check.Failed.class);
        assertThat(Check.decide(ran(0, "{\"wake\": \"yes\"}"))).isInstanceOf(Check.Failed.class);
        assertThat(Check.decide(ran(0, "[true]"))).isInstanceOf(Check.Failed.class);
        assertThat(Check.decide(ran(0, "some log line\n{\"wake\": true}"))).isInstanceOf(Check.Failed.class);
        assertThat(Check.decide(ran(2, "{\"wake\": true}"))).isInstanceOf(Check.Failed.class);
        assertThat(Check.decide(new ExecResult(new SandboxExit(0, false), "{\"wake\":", "", false, true)))
                .isEqualTo(new Check.Failed("the check printed more than 1 MiB"));
        assertThat(Check.decide(new ExecResult(new SandboxExit(137, false), "", "", true, false)))
                .isEqualTo(new Check.Failed("the check ran longer than 30 s and was stopped"));
    }
}
