package dev.claw4j.slack;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MrkdwnTest {
    @Test
    void boldItalicStrikeAndLinks() {
        assertThat(Mrkdwn.convert("**bold** and __also__, *italic*, ~~gone~~"))
                .isEqualTo("*bold* and *also*, _italic_, ~gone~");
        assertThat(Mrkdwn.convert("see [the docs](https://x.dev/a?b=1&c=2) now"))
                .isEqualTo("see <https://x.dev/a?b=1&c=2|the docs> now");
        assertThat(Mrkdwn.convert("raw <https://x.dev> link")).isEqualTo("raw <https://x.dev> link");
        assertThat(Mrkdwn.convert("**[bold link](https://x.dev)**")).isEqualTo("*<https://x.dev|bold link>*");
    }

    @Test
    void headingsBecomeBoldAndBulletsBecomeDots() {
        assertThat(Mrkdwn.convert("# Title\n## Sub **x**\n- one\n* two\n  + nested\n1. first"))
                .isEqualTo("*Title*\n*Sub x*\n• one\n• two\n  • nested\n1. first");
    }

    @Test
    void specialCharactersAreEscapedOutsideCodeOnly() {
        assertThat(Mrkdwn.convert("a < b && c > d")).isEqualTo("a &lt; b &amp;&amp; c &gt; d");
        assertThat(Mrkdwn.convert("inline `a<b && **c**` kept")).isEqualTo("inline `a<b && **c**` kept");
        assertThat(Mrkdwn.convert("<@U123> <!channel> is text, not a ping"))
                .isEqualTo("&lt;@U123&gt; &lt;!channel&gt; is text, not a ping");
    }

    @Test
    void codeBlocksAreKeptAndTheirLanguageTagDropped() {
        String md = "Look:\n```java\nif (a < b && **c**) {\n  # not a heading\n}\n```\n**done**";
        assertThat(Mrkdwn.convert(md)).isEqualTo("Look:\n```\nif (a < b && **c**) {\n  # not a heading\n}\n```\n*done*");
    }

    @Test
    void anUnclosedCodeBlockIsClosed() {
        assertThat(Mrkdwn.convert("x\n```\ncode <here>")).isEqualTo("x\n```\ncode <here>```");
    }

    @Test
    void plainTextAndEmpty() {
        assertThat(Mrkdwn.convert("just words, 2*3=6 and 5 * 4")).isEqualTo("just words, 2*3=6 and 5 * 4");
        assertThat(Mrkdwn.convert("")).isEmpty();
        assertThat(Mrkdwn.convert(null)).isEmpty();
    }
}
