package dev.claw4j.telegram;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders the Markdown models write as the HTML subset Telegram accepts ({@code parse_mode=HTML}): bold,
 * italics, strike-through, inline code, code blocks with their language, and links. Everything else is
 * escaped, and a marker without its partner stays literal text, so the output is always well-formed: a tag
 * is written only together with its closing tag.
 */
public final class TelegramHtml {
    private static final Pattern FENCE = Pattern.compile("^\\s*```\\s*([\\w+#.-]*)\\s*$");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern BULLET = Pattern.compile("^(\\s*)[-*+]\\s+(.*)$");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]\\n]+)]\\(([^)\\s]+)\\)");
    private static final Pattern SAFE_URL = Pattern.compile("(?i)(https?://|tg://|mailto:)\\S+");

    private TelegramHtml() {}

    public static String render(String markdown) {
        StringBuilder out = new StringBuilder();
        String[] lines = markdown.replace("\r\n", "\n").split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            Matcher fence = FENCE.matcher(lines[i]);
            if (fence.matches()) {
                i = codeBlock(lines, i + 1, fence.group(1), out);
            } else {
                out.append(line(lines[i]));
                i++;
            }
            if (i < lines.length) {
                out.append('\n');
            }
        }
        return out.toString();
    }

    /** Escapes text for Telegram HTML: only &, < and > need it (quotes too, inside attributes). */
    public static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A fenced block up to its closing fence (or the end: an unclosed fence still shows as code). */
    private static int codeBlock(String[] lines, int from, String language, StringBuilder out) {
        StringBuilder code = new StringBuilder();
        int i = from;
        while (i < lines.length && !FENCE.matcher(lines[i]).matches()) {
            if (i > from) {
                code.append('\n');
            }
            code.append(lines[i]);
            i++;
        }
        out.append("<pre>");
        if (!language.isEmpty()) {
            out.append("<code class=\"language-").append(escape(language.toLowerCase(Locale.ROOT))).append("\">");
        } else {
            out.append("<code>");
        }
        out.append(escape(code.toString())).append("</code></pre>");
        // i is at the closing fence (skip it) or past the end
        return i < lines.length ? i + 1 : i;
    }

    private static String line(String line) {
        Matcher heading = HEADING.matcher(line);
        if (heading.matches()) {
            return "<b>" + inline(heading.group(1)) + "</b>";
        }
        Matcher bullet = BULLET.matcher(line);
        if (bullet.matches() && !bullet.group(2).isEmpty()) {
            return bullet.group(1) + "• " + inline(bullet.group(2));
        }
        return inline(line);
    }

    /** Inline Markdown of one line: code spans first (nothing inside them is markup), then the rest. */
    static String inline(String text) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '`') {
                int close = text.indexOf('`', i + 1);
                if (close > i + 1) {
                    out.append("<code>").append(escape(text.substring(i + 1, close))).append("</code>");
                    i = close + 1;
                    continue;
                }
            }
            if (c == '[') {
                Matcher link = LINK.matcher(text).region(i, text.length());
                if (link.lookingAt() && SAFE_URL.matcher(link.group(2)).matches()) {
                    out.append("<a href=\"").append(escape(link.group(2))).append("\">")
                            .append(inline(link.group(1))).append("</a>");
                    i = link.end();
                    continue;
                }
            }
            int used = emphasis(text, i, out);
            if (used > 0) {
                i += used;
                continue;
            }
            out.append(escape(String.valueOf(c)));
            i++;
        }
        return out.toString();
    }

    /** **bold**, __bold__, ~~strike~~, *italic*, _italic_ starting at {@code i}; returns the characters used. */
    private static int emphasis(String text, int i, StringBuilder out) {
        for (String[] m : new String[][] {{"**", "b"}, {"__", "b"}, {"~~", "s"}, {"*", "i"}, {"_", "i"}}) {
            String marker = m[0];
            if (!text.startsWith(marker, i) || !opens(text, i, marker)) {
                continue;
            }
            int close = closing(text, i + marker.length(), marker);
            if (close < 0) {
                continue;
            }
            out.append('<').append(m[1]).append('>')
                    .append(inline(text.substring(i + marker.length(), close)))
                    .append("</").append(m[1]).append('>');
            return close + marker.length() - i;
        }
        return 0;
    }

    private static boolean opens(String text, int i, String marker) {
        int after = i + marker.length();
        if (after >= text.length() || Character.isWhitespace(text.charAt(after))) {
            return false; // "* item" and "a * b" are not emphasis
        }
        if (marker.charAt(0) == '_' && i > 0 && Character.isLetterOrDigit(text.charAt(i - 1))) {
            return false; // snake_case_names stay as they are
        }
        // "**" must not be read as an empty "*" pair
        return !(marker.length() == 1 && text.charAt(after) == marker.charAt(0));
    }

    private static int closing(String text, int from, String marker) {
        int close = text.indexOf(marker, from);
        while (close >= 0) {
            boolean afterText = close > from && !Character.isWhitespace(text.charAt(close - 1));
            int end = close + marker.length();
            boolean wordEnd = marker.charAt(0) != '_' || end >= text.length()
                    || !Character.isLetterOrDigit(text.charAt(end));
            boolean single = marker.length() > 1 || (end >= text.length() || text.charAt(end) != marker.charAt(0))
                    && text.charAt(close - 1) != marker.charAt(0);
            if (afterText && wordEnd && single) {
                return close;
            }
            close = text.indexOf(marker, close + 1);
        }
        return -1;
    }
}
