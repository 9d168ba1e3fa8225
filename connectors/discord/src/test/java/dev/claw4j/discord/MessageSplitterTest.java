package dev.claw4j.discord;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessageSplitterTest {
    @Test
    void shortTextIsOnePart() {
        assertThat(MessageSplitter.split("hello")).containsExactly("hello");
        assertThat(MessageSplitter.split("  \n")).isEmpty();
        assertThat(MessageSplitter.split(null)).isEmpty();
    }

    @Test
    void cutsBetweenLinesAndKeepsEveryCharacter() {
        String text = "word ".repeat(100).strip() + "\n";
        String all = text.repeat(12);
        List<String> parts = MessageSplitter.split(all);
        assertThat(parts).hasSizeGreaterThan(2).allMatch(p -> p.length() <= 2000).allMatch(p -> p.endsWith("\n"));
        assertThat(String.join("", parts)).isEqualTo(all);
    }

    @Test
    void aCodeBlockCutInTheMiddleIsClosedAndReopenedWithItsLanguage() {
        String code = "```python\n" + "print('x' * 40)  # padding padding padding padding\n".repeat(100) + "```\nafter";
        List<String> parts = MessageSplitter.split(code);
        assertThat(parts).hasSizeGreaterThan(2);
        for (String p : parts) {
            assertThat(p.length()).isLessThanOrEqualTo(2000);
            assertThat(fenceLines(p) % 2).isZero();
        }
        assertThat(parts.get(1)).startsWith("```python\n");
        assertThat(parts.getLast()).endsWith("```\nafter");
        assertThat(rejoin(parts)).isEqualTo(code);
    }

    @Test
    void aSingleHugeLineIsCutAtSpacesOrHard() {
        String spaced = "abcdefghij ".repeat(500);
        List<String> parts = MessageSplitter.split(spaced);
        assertThat(parts).allMatch(p -> p.length() <= 2000);
        assertThat(String.join("", parts)).isEqualTo(spaced);
        String solid = "x".repeat(4500);
        assertThat(MessageSplitter.split(solid)).allMatch(p -> p.length() <= 2000);
        assertThat(String.join("", MessageSplitter.split(solid))).isEqualTo(solid);
    }

    @Test
    void aOneLineCodeSpanIsNotAFence() {
        String text = "```inline```\n" + "y\n".repeat(1500);
        assertThat(MessageSplitter.split(text)).allMatch(p -> !p.startsWith("```inline```\n```"));
        assertThat(String.join("", MessageSplitter.split(text))).isEqualTo(text);
    }

    /** Lines that open or close a code block. */
    static int fenceLines(String part) {
        return (int) part.lines().map(String::strip)
                .filter(l -> l.startsWith("```") && !(l.length() > 6 && l.endsWith("```"))).count();
    }

    /** The original text back: drop each closing fence the splitter added and the reopening fence after it. */
    static String rejoin(List<String> parts) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (i > 0 && p.startsWith("```") && parts.get(i - 1).endsWith("\n```")) {
                p = p.substring(p.indexOf('\n') + 1);
            }
            if (i < parts.size() - 1 && p.endsWith("\n```") && parts.get(i + 1).startsWith("```")) {
                p = p.substring(0, p.length() - 3);
            }
            out.append(p);
        }
        return out.toString();
    }
}
