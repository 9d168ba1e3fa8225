package dev.claw4j.slack;

import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a long mrkdwn text into messages Slack shows whole. Cuts fall on line ends where possible; a cut
 * inside a code block closes the block at the end of one part and reopens it at the start of the next, so
 * every part renders as code where the original did.
 */
public final class MessageSplitter {
    /** Slack truncates a message's text at 40,000 characters but advises staying under 4,000. */
    public static final int DEFAULT_LIMIT = 3_500;
    private static final String CLOSE = "\n" + Mrkdwn.FENCE;
    private static final String REOPEN = Mrkdwn.FENCE + "\n";

    private final int limit;

    public MessageSplitter(int limit) {
        if (limit < 100) {
            throw new IllegalArgumentException("limit too small to split sensibly: " + limit);
        }
        this.limit = limit;
    }

    public MessageSplitter() {
        this(DEFAULT_LIMIT);
    }

    public List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        if (text.length() <= limit) {
            parts.add(text);
            return parts;
        }
        StringBuilder part = new StringBuilder();
        boolean inCode = false; // at the end of what is in 'part'
        for (String line : pieces(text)) {
            // room needed: a newline before the line, and a closing fence if we end inside code
            boolean inCodeAfter = inCode ^ (fences(line) % 2 == 1);
            int reserve = (inCodeAfter ? CLOSE.length() : 0);
            if (!part.isEmpty() && part.length() + 1 + line.length() + reserve > limit) {
                parts.add(part + (inCode ? CLOSE : ""));
                part.setLength(0);
                if (inCode) {
                    part.append(REOPEN);
                }
                part.append(line);
            } else {
                if (!part.isEmpty()) {
                    part.append('\n');
                }
                part.append(line);
            }
            inCode = inCodeAfter;
        }
        if (!part.isEmpty()) {
            parts.add(part.toString());
        }
        return parts;
    }

    /** The text's lines, each line longer than a part cut at its last space (or hard) into shorter ones. */
    private List<String> pieces(String text) {
        // leave room for a reopened fence and a closing one around a long line of code
        int max = limit - REOPEN.length() - CLOSE.length() - 1;
        List<String> out = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            while (line.length() > max) {
                int cut = line.lastIndexOf(' ', max);
                cut = cut < max / 2 ? max : cut + 1;
                out.add(line.substring(0, cut));
                line = line.substring(cut);
            }
            out.add(line);
        }
        return out;
    }

    static int fences(String line) {
        int n = 0;
        for (int i = line.indexOf(Mrkdwn.FENCE); i >= 0; i = line.indexOf(Mrkdwn.FENCE, i + 3)) {
            n++;
        }
        return n;
    }
}
