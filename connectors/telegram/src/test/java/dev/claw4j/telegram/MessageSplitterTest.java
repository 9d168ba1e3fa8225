package dev.claw4j.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class MessageSplitterTest {
    @Test
    void shortTextIsOnePart() {
        assertThat(MessageSplitter.split("hello", 4096)).containsExactly("hello");
    }

    @Test
    void tenThousandCharactersOfProseSplitAtLineBreaksWithNothingLost() {
        String text = IntStream.range(0, 500).mapToObj(i -> "sentence number " + i + " of the answer")
                .collect(Collectors.joining("\n"));
        assertThat(text.length()).isGreaterThan(10_000);
        List<String> parts = MessageSplitter.split(text, 4096);
        assertThat(parts).hasSizeGreaterThan(2).allMatch(p -> p.length() <= 4096);
        assertThat(String.join("\n", parts)).isEqualTo(text);
    }

    @Test
    void aLongCodeBlockIsClosedAndReopenedWithItsLanguage() {
        String code = IntStream.range(0, 700).mapToObj(i -> "echo line " + i).collect(Collectors.joining("\n"));
        String text = "Output:\n```bash\n" + code + "\n```\nThat is all.";
        assertThat(text.length()).isGreaterThan(9000);
        List<String> parts = MessageSplitter.split(text, 4096);
        assertThat(parts).hasSizeGreaterThanOrEqualTo(2);
        for (String part : parts) {
            assertThat(part.length()).isLessThanOrEqualTo(4096);
            assertThat(fences(part) % 2).as("fences balanced in:\n" + part).isZero();
        }
        assertThat(parts.get(1)).startsWith("```bash\n");
        // removing the fences the splitter added gives the original back
        String joined = parts.stream().collect(Collectors.joining("\n")).replace("\n```\n```bash\n", "\n");
        assertThat(joined).isEqualTo(text);
    }

    @Test
    void aSingleHugeLineIsCutAndNothingIsLost() {
        String text = "x".repeat(10_000);
        List<String> parts = MessageSplitter.split(text, 4096);
        assertThat(parts).allMatch(p -> p.length() <= 4096);
        assertThat(String.join("", parts)).isEqualTo(text);
    }

    @Test
    void aHugeLineInsideCodeIsCutInsideBalancedFences() {
        String text = "```\n" + "y".repeat(10_000) + "\n```";
        List<String> parts = MessageSplitter.split(text, 4096);
        assertThat(parts).hasSizeGreaterThanOrEqualTo(3).allMatch(p -> p.length() <= 4096)
                .allMatch(p -> fences(p) == 2);
        assertThat(parts.stream().mapToLong(p -> p.chars().filter(c -> c == 'y').count()).sum()).isEqualTo(10_000);
    }

    @Test
    void partsForTelegramFitEvenWhenEscapingMakesTheHtmlLonger() {
        String text = "<&>".repeat(3000); // 9000 characters, 4 to 5 times longer once escaped
        List<MessageSplitter.Part> parts = MessageSplitter.forTelegram(text);
        assertThat(parts).allMatch(p -> p.html().length() <= 4096);
        assertThat(parts.stream().map(MessageSplitter.Part::markdown).collect(Collectors.joining())).isEqualTo(text);
        assertThat(parts).allMatch(p -> FakeBotApi.htmlProblem(p.html()) == null);
    }

    private static int fences(String part) {
        return (int) part.lines().filter(l -> l.strip().startsWith("```")).count();
    }
}
