package dev.claw4j.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileToolsTest {
    @TempDir
    Path root;

    @Test
    void writeFileCreatesParentFoldersAndReadFileReadsItBack() throws Exception {
        ToolTesting t = new ToolTesting(root);
        ToolResult written = t.call(new WriteFileTool(), Map.of("path", "notes/today/a.md", "content", "héllo\nworld\n"));
        assertThat(written.output()).isEqualTo("wrote 13 bytes to notes/today/a.md");
        assertThat(Files.readString(t.group().resolve("notes/today/a.md"))).isEqualTo("héllo\nworld\n");
        assertThat(t.call(new ReadFileTool(), Map.of("path", "notes/today/a.md")).output()).isEqualTo("héllo\nworld\n");
    }

    @Test
    void readFileReadsAWindowOfLinesAndSaysWhereToGoOn() throws Exception {
        ToolTesting t = new ToolTesting(root);
        Files.writeString(t.group().resolve("n.txt"),
                IntStream.rangeClosed(1, 10).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")));
        String window = t.call(new ReadFileTool(), Map.of("path", "n.txt", "offset_line", 3, "limit_lines", 2)).output();
        assertThat(window).isEqualTo("line 3\nline 4\n[showing lines 3-4; more follow: read on with offset_line=5]");
        assertThat(t.call(new ReadFileTool(), Map.of("path", "n.txt", "offset_line", 9)).output())
                .isEqualTo("line 9\nline 10\n");
    }

    @Test
    void readFileExplainsMissingFilesFoldersAndBinaries() throws Exception {
        ToolTesting t = new ToolTesting(root);
        Files.write(t.group().resolve("blob.bin"), new byte[] {1, 0, 2});
        assertThatThrownBy(() -> t.call(new ReadFileTool(), Map.of("path", "nope.txt")))
                .hasMessage("nope.txt does not exist; use list_files to see what is there");
        assertThatThrownBy(() -> t.call(new ReadFileTool(), Map.of("path", ".")))
                .hasMessageContaining("is a directory");
        assertThatThrownBy(() -> t.call(new ReadFileTool(), Map.of("path", "blob.bin")))
                .hasMessageContaining("blob.bin is a binary file (3 bytes)");
        assertThatThrownBy(() -> t.call(new ReadFileTool(), Map.of("path", "/etc/passwd")))
                .hasMessageContaining("is outside");
    }

    @Test
    void writeFileRefusesPathsOutsideTheWorkspace() {
        ToolTesting t = new ToolTesting(root);
        assertThatThrownBy(() -> t.call(new WriteFileTool(), Map.of("path", "../../evil.txt", "content", "x")))
                .isInstanceOf(ToolException.class).hasMessageContaining("is outside");
        assertThat(root.getParent().resolve("evil.txt")).doesNotExist();
    }

    @Test
    void editFileReplacesTextThatOccursOnce() throws Exception {
        ToolTesting t = new ToolTesting(root);
        Files.writeString(t.group().resolve("c.txt"), "alpha\nbeta\ngamma\n");
        ToolResult result = t.call(new EditFileTool(), Map.of("path", "c.txt", "old_text", "beta", "new_text", "BETA"));
        assertThat(result.output()).isEqualTo("replaced 1 occurrence in c.txt at line 2");
        assertThat(Files.readString(t.group().resolve("c.txt"))).isEqualTo("alpha\nBETA\ngamma\n");
    }

    @Test
    void editFileSaysWhenTheTextIsMissingOrAmbiguous() throws Exception {
        ToolTesting t = new ToolTesting(root);
        Files.writeString(t.group().resolve("c.txt"), "x = 1\ny = 2\nx = 1\n");
        assertThatThrownBy(() -> t.call(new EditFileTool(), Map.of("path", "c.txt", "old_text", "z = 3", "new_text", "")))
                .hasMessageStartingWith("old_text was not found in c.txt");
        assertThatThrownBy(() -> t.call(new EditFileTool(), Map.of("path", "c.txt", "old_text", "x = 1", "new_text", "x = 9")))
                .hasMessage("old_text was found 2 times in c.txt (at lines 1, 3); include more surrounding text so it"
                        + " matches exactly once");
        assertThat(Files.readString(t.group().resolve("c.txt"))).isEqualTo("x = 1\ny = 2\nx = 1\n");
    }

    @Test
    void listFilesIsSortedWithSizes() throws Exception {
        ToolTesting t = new ToolTesting(root);
        Files.writeString(t.group().resolve("b.txt"), "12345");
        Files.createDirectories(t.group().resolve("a-dir/inner"));
        Files.writeString(t.group().resolve("a-dir/inner/deep.txt"), "1");
        assertThat(t.call(new ListFilesTool(), Map.of()).output()).isEqualTo("a-dir/\nb.txt  (5 bytes)");
        assertThat(t.call(new ListFilesTool(), Map.of("path", ".", "recursive", true)).output())
                .isEqualTo("a-dir/\na-dir/inner/\na-dir/inner/deep.txt  (1 byte)\nb.txt  (5 bytes)");
    }

    @Test
    void listFilesCapsTheNumberOfEntries() throws Exception {
        ToolTesting t = new ToolTesting(root);
        for (int i = 0; i < ListFilesTool.MAX_SHOWN + 5; i++) {
            Files.writeString(t.group().resolve("f" + i), "");
        }
        String listing = t.call(new ListFilesTool(), Map.of()).output();
        assertThat(listing.lines()).hasSize(ListFilesTool.MAX_SHOWN + 1);
        assertThat(listing).endsWith("[… 5 more entries not shown; list a sub-folder]");
    }

    @Test
    void grepFindsLinesAndSkipsBinaryFiles() throws Exception {
        ToolTesting t = new ToolTesting(root);
        Files.createDirectories(t.group().resolve("src"));
        Files.writeString(t.group().resolve("src/a.java"), "class A {}\n// TODO fix\n");
        Files.writeString(t.group().resolve("b.md"), "todo later\nnothing\n");
        Files.write(t.group().resolve("c.bin"), new byte[] {'T', 'O', 'D', 'O', 0});
        GrepTool grep = new GrepTool();
        assertThat(t.call(grep, Map.of("pattern", "(?i)todo")).output())
                .isEqualTo("b.md:1:todo later\nsrc/a.java:2:// TODO fix");
        assertThat(t.call(grep, Map.of("pattern", "TODO", "glob", "*.java")).output())
                .isEqualTo("src/a.java:2:// TODO fix");
        assertThat(t.call(grep, Map.of("pattern", "absent")).output()).isEqualTo("no matches for absent in .");
        assertThatThrownBy(() -> t.call(grep, Map.of("pattern", "(unclosed")))
                .hasMessageStartingWith("pattern is not a valid Java regular expression");
    }

    @Test
    void grepCapsItsResults() throws Exception {
        ToolTesting t = new ToolTesting(root);
        Files.writeString(t.group().resolve("many.txt"), "hit\n".repeat(GrepTool.MAX_MATCHES + 50));
        String output = t.call(new GrepTool(), Map.of("pattern", "hit")).output();
        assertThat(output.lines().filter(l -> l.startsWith("many.txt:"))).hasSize(GrepTool.MAX_MATCHES);
        assertThat(output).endsWith("[stopped at " + GrepTool.MAX_MATCHES + " matches; narrow the pattern, path or glob]");
    }

    @Test
    void missingOrMistypedArgumentsAreExplained() {
        ToolTesting t = new ToolTesting(root);
        assertThatThrownBy(() -> t.call(new WriteFileTool(), Map.of("path", "a.txt")))
                .hasMessage("missing argument \"content\" (a string)");
        assertThatThrownBy(() -> t.call(new ReadFileTool(), Map.of("path", "a.txt", "offset_line", "soon")))
                .hasMessageStartingWith("argument \"offset_line\" must be a whole number");
        assertThatThrownBy(() -> ToolArgs.parse("bash", "{\"command\": "))
                .hasMessageStartingWith("the arguments for bash are not valid JSON");
    }
}
