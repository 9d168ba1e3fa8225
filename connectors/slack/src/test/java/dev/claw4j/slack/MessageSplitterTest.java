package dev.claw4j.slack;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageSplitterTest {
    private final MessageSplitter splitter = new MessageSplitter();

    @Test
    void shortTextIsOnePart() {
        assertThat(splitter.split("hello")).containsExactly("hello");
    }

    @Test
    void aLongAnswerWithACodeBlockIsSplitWithinTheLimitWithBalancedFences() {
        StringBuilder md = new StringBuilder("Here is what `seq` printed:\n```\n");
        for (int i = 1; md.length() < 5_200; i++) {
            md.append("line ").append(i).append(" of the output\n");
        }
        md.append("```\nThat is all, **really**.");
        for (int i = 0; md.length() < 6_000; i++) {
            md.append(" More words after the code.");
        }
        String text = Mrkdwn.convert(md.toString());
        assertThat(text.length()).isGreaterThan(6_000);

        List<String> parts = splitter.split(text);
        assertThat(parts).hasSizeGreaterThanOrEqualTo(2);
        assertThat(parts).allSatisfy(p -> {
            assertThat(p.length()).isLessThanOrEqualTo(MessageSplitter.DEFAULT_LIMIT);
            assertThat(MessageSplitter.fences(p) % 2).as("fences balanced in %s…", p.substring(0, 40)).isZero();
        });
        assertThat(parts.get(1)).startsWith("```\n"); // the cut fell inside the code: it is reopened
        assertThat(parts.get(0)).endsWith("\n```");
        assertThat(rejoin(parts)).isEqualTo(text);
    }

    @Test
    void aVeryLongLineIsCutAtASpace() {
        String line = "word ".repeat(2_000).strip();
        List<String> parts = splitter.split(line);
        assertThat(parts).allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(MessageSplitter.DEFAULT_LIMIT));
        assertThat(String.join("", parts)).isEqualTo(line);
        assertThat(parts.getFirst()).endsWith("word ");
    }

    @Test
    void aLongCodeLineInsideABlockStaysInsideCode() {
        String text = "```\n" + "x".repeat(8_000) + "\n```";
        List<String> parts = splitter.split(text);
        assertThat(parts).hasSizeGreaterThan(2).allSatisfy(p -> {
            assertThat(p.length()).isLessThanOrEqualTo(MessageSplitter.DEFAULT_LIMIT);
            assertThat(MessageSplitter.fences(p) % 2).isZero();
        });
    }

    /** Undo the closing and reopening fences the splitter added: what is left is the original text. */
    private static String rejoin(List<String> parts) {
        List<String> bare = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String p = parts.get(i);
            if (i > 0 && p.startsWith("```\n") && parts.get(i - 1).endsWith("\n```")) {
                p = p.substring(4);
            }
            if (i < parts.size() - 1 && p.endsWith("\n```") && parts.get(i + 1).startsWith("```\n")) {
                p = p.substring(0, p.length() - 4);
            }
            bare.add(p);
        }
        return String.join("\n", bare);
    }
}
