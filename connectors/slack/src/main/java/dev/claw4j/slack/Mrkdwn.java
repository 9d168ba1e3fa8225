package dev.claw4j.slack;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Markdown (what models write) to Slack's mrkdwn: {@code **bold**} → {@code *bold*}, {@code *italic*} →
 * {@code _italic_}, {@code ~~x~~} → {@code ~x~}, {@code [t](u)} → {@code <u|t>}, headings → bold lines,
 * bullets → •. Code (fenced and inline) is kept byte for byte; {@code &}, {@code <} and {@code >} are escaped
 * everywhere else, because Slack reads them as its own markup.
 */
public final class Mrkdwn {
    static final String FENCE = "```";

    private static final Pattern INLINE_CODE = Pattern.compile("`[^`\\n]+`");
    private static final Pattern LINK = Pattern.compile("!?\\[([^\\]\\n]+)]\\((https?://[^)\\s]+|mailto:[^)\\s]+)\\)");
    private static final Pattern AUTOLINK = Pattern.compile("<(https?://[^>\\s]+)>");
    private static final Pattern HEADING = Pattern.compile("^(\\s{0,3})#{1,6}\\s+(.+?)\\s*#*\\s*$");
    private static final Pattern BULLET = Pattern.compile("^(\\s*)[-*+]\\s+(?=\\S)");
    private static final Pattern RULE = Pattern.compile("^\\s{0,3}([-*_])(\\s*\\1){2,}\\s*$");
    private static final Pattern ITALIC = Pattern.compile("(?<![*\\w])\\*(?![*\\s])(.+?)(?<![*\\s])\\*(?![*\\w])");
    private static final Pattern BOLD = Pattern.compile("\\*\\*(?=\\S)(.+?)(?<=\\S)\\*\\*|__(?=\\S)(.+?)(?<=\\S)__");
    private static final Pattern STRIKE = Pattern.compile("~~(?=\\S)(.+?)(?<=\\S)~~");
    private static final Pattern LANGUAGE = Pattern.compile("^[\\w+#.-]{1,20}\\n");
    // placeholders for pieces already converted; \u0000 never occurs in chat text
    private static final Pattern KEPT = Pattern.compile("\u0000(\\d+)\u0000");

    private Mrkdwn() {}

    public static String convert(String markdown) {
        if (markdown == null || markdown.isEmpty()) {
            return "";
        }
        // Splitting on fences gives text, code, text, code, …: odd pieces are inside a code block.
        String[] pieces = markdown.split(FENCE, -1);
        StringBuilder out = new StringBuilder(markdown.length() + 64);
        for (int i = 0; i < pieces.length; i++) {
            if (i % 2 == 0) {
                out.append(text(pieces[i]));
            } else {
                // Slack shows a language tag as the code's first line, so drop it.
                out.append(FENCE).append(LANGUAGE.matcher(pieces[i]).replaceFirst("\n")).append(FENCE);
            }
        }
        // An unclosed fence leaves an even number of pieces; the loop above has closed it.
        return out.toString();
    }

    private static String text(String text) {
        String[] lines = text.split("\n", -1);
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                out.append('\n');
            }
            out.append(line(lines[i]));
        }
        return out.toString();
    }

    private static String line(String line) {
        if (RULE.matcher(line).matches()) {
            return "―――";
        }
        Matcher heading = HEADING.matcher(line);
        if (heading.matches()) {
            String inner = inline(heading.group(2).replaceAll("\\*\\*(.+?)\\*\\*|__(.+?)__", "$1$2"));
            return heading.group(1) + "*" + inner + "*";
        }
        Matcher bullet = BULLET.matcher(line);
        if (bullet.find()) {
            return bullet.group(1) + "• " + inline(line.substring(bullet.end()));
        }
        return inline(line);
    }

    private static String inline(String s) {
        List<String> kept = new ArrayList<>();
        s = replace(s, INLINE_CODE, m -> keep(kept, m.group()));
        s = replace(s, LINK, m -> keep(kept, "<" + m.group(2).replace(">", "%3E").replace("|", "%7C") + "|"
                + emphasis(escape(m.group(1))) + ">"));
        s = replace(s, AUTOLINK, m -> keep(kept, "<" + m.group(1) + ">"));
        s = emphasis(escape(s));
        return replace(s, KEPT, m -> kept.get(Integer.parseInt(m.group(1))));
    }

    // Italic first: once **bold** has become *bold*, it would look like Markdown italic.
    private static String emphasis(String s) {
        s = replace(s, ITALIC, m -> "_" + m.group(1) + "_");
        s = replace(s, BOLD, m -> "*" + (m.group(1) != null ? m.group(1) : m.group(2)) + "*");
        return replace(s, STRIKE, m -> "~" + m.group(1) + "~");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String keep(List<String> kept, String piece) {
        kept.add(piece);
        return "\u0000" + (kept.size() - 1) + "\u0000";
    }

    private static String replace(String s, Pattern p, Function<MatchResult, String> f) {
        return p.matcher(s).replaceAll(m -> Matcher.quoteReplacement(f.apply(m)));
    }
}
