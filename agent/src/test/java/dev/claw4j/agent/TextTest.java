package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextTest {
    @Test
    void shortTextIsKept() {
        assertThat(Text.cap("hello", 5)).isEqualTo("hello");
    }

    @Test
    void longTextKeepsHeadAndTailAndSaysHowMuchWasCut() {
        String text = "HEAD" + "x".repeat(10_000) + "TAIL";
        String capped = Text.cap(text, 200);
        assertThat(capped.length()).isLessThanOrEqualTo(200);
        assertThat(capped).startsWith("HEAD").endsWith("TAIL").contains(" characters cut …]");
        long cut = Long.parseLong(capped.replaceAll("(?s).*\\[… (\\d+) characters cut.*", "$1"));
        assertThat(capped.length() - Text.cutNotice(cut).length() + cut).isEqualTo(text.length());
    }

    @Test
    void surrogatePairsAreNotSplit() {
        String capped = Text.cap("😀".repeat(500), 101);
        assertThat(capped.length()).isLessThanOrEqualTo(101);
        // a lone surrogate shows up as a code point in the surrogate range
        assertThat(capped.codePoints().filter(cp -> cp >= 0xD800 && cp <= 0xDFFF)).isEmpty();
    }

    @Test
    void shortenMakesOneShortLine() {
        assertThat(Text.shorten("  echo a\n  echo b  ", 100)).isEqualTo("echo a ⏎ echo b");
        assertThat(Text.shorten("abcdef", 4)).isEqualTo("abc…");
    }
}
