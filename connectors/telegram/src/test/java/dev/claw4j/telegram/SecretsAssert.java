package dev.claw4j.telegram;

import static org.assertj.core.api.Assertions.assertThat;

/** Asserts that printed text carries no piece of a secret, not even a few characters of it. */
final class SecretsAssert {
    private SecretsAssert() {}

    /** No 4-character run of {@code secret} appears in {@code printed} (a "last 4" mask would fail too). */
    static void noPartOf(String secret, String printed) {
        for (int i = 0; i + 4 <= secret.length(); i++) {
            String part = secret.substring(i, i + 4);
            assertThat(printed).as("printed text must not contain '%s' of the secret", part).doesNotContain(part);
        }
    }
}
