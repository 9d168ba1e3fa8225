package dev.claw4j.core.llm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** The start-up warm-up makes a full canned call of each provider's client, and never reaches the provider. */
class ModelWarmUpTest {

    @ParameterizedTest
    @EnumSource(ModelSettings.Provider.class)
    void aCannedCallIsReadAndTheProviderIsNotCalled(ModelSettings.Provider provider) throws Exception {
        try (FakeProviderServer provider0 = new FakeProviderServer()) {
            ModelSettings settings = ModelSettings.of(provider.id(), "some-model", "sk-real-key", provider0.baseUrl());
            AtomicInteger calls = new AtomicInteger();
            ModelGateway gateway = ModelGateway.of(settings, call -> calls.incrementAndGet());

            assertThat(gateway.warmUp()).as("models warmed up (the canned answer read)").isEqualTo(1);
            assertThat(provider0.received()).as("requests that reached the configured provider").isEmpty();
            assertThat(calls).as("model calls recorded (usage, budgets, audit)").hasValue(0);
        }
    }

    @Test
    void aTurnsProtocolMessagesAreEncodedAndDecoded() {
        assertThat(ModelWarmUp.protocolRoundTrip()).isTrue();
    }
}
