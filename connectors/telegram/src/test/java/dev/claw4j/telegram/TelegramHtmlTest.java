package dev.claw4j.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TelegramHtmlTest {
    @Test
    void plainTextIsEscaped() {
        assertThat(TelegramHtml.render("if a < b && c > d then \"x\"")).isEqualTo(
                "if a &lt; b &amp;&amp; c &gt; d then &quot;x&quot;");
        assertThat(TelegramHtml.render("<script>alert(1)</script>")).isEqualTo(
                "&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(TelegramHtml.render("&amp; stays visible as typed")).isEqualTo("&amp;amp; stays visible as typed");
    }

    @Test
    void boldItalicStrikeAndInlineCode() {
        assertThat(TelegramHtml.render("**bold** and __also bold__")).isEqualTo("<b>bold</b> and <b>also bold</b>");
        assertThat(TelegramHtml.render("*italic* and _also_")).isEqualTo("<i>italic</i> and <i>also</i>");
        assertThat(TelegramHtml.render("~~gone~~")).isEqualTo("<s>gone</s>");
        assertThat(TelegramHtml.render("run `ls -la <dir>` now")).isEqualTo("run <code>ls -la &lt;dir&gt;</code> now");
        assertThat(TelegramHtml.render("**bold with *italic* inside**")).isEqualTo(
                "<b>bold with <i>italic</i> inside</b>");
        assertThat(TelegramHtml.render("*it **bold** it*")).isEqualTo("<i>it <b>bold</b> it</i>");
    }

    @Test
    void markupInsideCodeIsLeftAlone() {
        assertThat(TelegramHtml.render("`**not bold**`")).isEqualTo("<code>**not bold**</code>");
    }

    @Test
    void lonelyMarkersAndSnakeCaseStayText() {
        assertThat(TelegramHtml.render("2 * 3 * 4")).isEqualTo("2 * 3 * 4");
        assertThat(TelegramHtml.render("my_file_name.txt and __init__")).isEqualTo("my_file_name.txt and <b>init</b>");
        assertThat(TelegramHtml.render("a **dangling marker")).isEqualTo("a **dangling marker");
        assertThat(TelegramHtml.render("an ` alone")).isEqualTo("an ` alone");
        assertThat(TelegramHtml.render("snake_case_var")).isEqualTo("snake_case_var");
    }

    @Test
    void codeBlocksKeepTheirLanguageAndEscapeEverything() {
        String md = "Try this:\n```python\nif a < b:\n    print(\"**hi**\")\n```\nok";
        assertThat(TelegramHtml.render(md)).isEqualTo("Try this:\n<pre><code class=\"language-python\">if a &lt; b:\n"
                + "    print(&quot;**hi**&quot;)</code></pre>\nok");
        assertThat(TelegramHtml.render("```\nplain\n```")).isEqualTo("<pre><code>plain</code></pre>");
        // an unclosed block is still code, and still closed in the HTML
        assertThat(TelegramHtml.render("```sh\nrm -rf <x>")).isEqualTo(
                "<pre><code class=\"language-sh\">rm -rf &lt;x&gt;</code></pre>");
    }

    @Test
    void linksAreRenderedOnlyForSafeSchemes() {
        assertThat(TelegramHtml.render("see [the docs](https://example.org/a?b=1&c=\"2\")")).isEqualTo(
                "see <a href=\"https://example.org/a?b=1&amp;c=&quot;2&quot;\">the docs</a>");
        assertThat(TelegramHtml.render("[**bold** link](http://x.y)")).isEqualTo(
                "<a href=\"http://x.y\"><b>bold</b> link</a>");
        assertThat(TelegramHtml.render("[click](javascript:alert(1))")).isEqualTo("[click](javascript:alert(1))");
    }

    @Test
    void headingsAndBullets() {
        assertThat(TelegramHtml.render("## Results\n- one\n* two <x>")).isEqualTo(
                "<b>Results</b>\n• one\n• two &lt;x&gt;");
    }

    @Test
    void everyRenderingIsHtmlTelegramAccepts() {
        String[] samples = {"**a *b** c*", "__a _b__ c_", "`a **b` c**", "[a](https://x) **[b](https://y)**",
                "~~a **b~~ c**", "***x***", "_*x*_", "**", "* * *", "<b>not a tag</b>", "```\n```", "a & b ; &x;"};
        for (String sample : samples) {
            assertThat(FakeBotApi.htmlProblem(TelegramHtml.render(sample))).as(sample).isNull();
        }
    }
}
